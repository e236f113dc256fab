/** A ratio as the benchmark prints it: two decimals, or two significant digits below 0.1 (a peer far faster than us). */
export const ratioText = (r: number) => `${r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`;
