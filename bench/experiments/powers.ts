// The power-counting argument of the paper's Section 6, computed. An LSA layer adds
// Σ_i W_V h_i h_iᵀ W_Kᵀ W_Q h_j to token j: cubic in the tokens, so after L layers every token
// entry is a polynomial of degree at most 3^L in the prompt's (x_i, y_i). The prediction
// ŷ = x_qᵀ P(A) Xᵀy (A = XᵀX) is linear in x_q and has Xᵀy of degree 2, so P has degree
// at most (3^L − 3)/2. Newton of order p on S = A from Z₀ = αS: if Z_k has degree D in S,
// Z_{k+1} = Z_k Σ_{m<p} c_m (S Z_k)^m has degree D + (p − 1)(D + 1).

/** Degree in the prompt of every token entry after `layers` LSA layers (tokens start at degree 1). */
export function lsaTokenDegree(layers: number): number {
  let degree = 1;
  for (let l = 0; l < layers; l++) degree *= 3;
  return degree;
}

/** Highest power of A in the prediction x_qᵀ P(A) Xᵀy of `layers` LSA layers. */
export function lsaPower(layers: number): number {
  return (lsaTokenDegree(layers) - 3) / 2;
}

/** Highest power of S in Z_k after `steps` Newton–Schulz steps of order `order` from Z₀ = αS. */
export function newtonPower(order: number, steps: number): number {
  let degree = 1;
  for (let k = 0; k < steps; k++) degree += (order - 1) * (degree + 1);
  return degree;
}

/** The real order p at which Newton after L steps forms the same power as L LSA layers: 2p^L − 1 = (3^L − 3)/2. */
export function powerMatchingOrder(layers: number): number {
  return ((lsaPower(layers) + 1) / 2) ** (1 / layers);
}

export interface PowersRow {
  layers: number;
  lsa: number;
  newton: Record<string, number>;
  matchingOrder: number;
}

export function powersTable(maxLayers: number, orders: readonly number[]): PowersRow[] {
  return Array.from({ length: maxLayers }, (_, i) => {
    const layers = i + 1;
    return {
      layers,
      lsa: lsaPower(layers),
      newton: Object.fromEntries(orders.map((p) => [String(p), newtonPower(p, layers)])),
      matchingOrder: powerMatchingOrder(layers),
    };
  });
}
