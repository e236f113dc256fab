import { ShapeError, ValueError } from './errors.js';

export type Shape = readonly number[];

export function describe(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function elementCount(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Checks that every dimension is a positive integer and that the rank is `rank` (when given). */
export function checkShape(what: string, shape: Shape, rank?: number): void {
  if (!Array.isArray(shape)) {
    throw new ShapeError(`${what}: expected a shape array, got ${String(shape)}`);
  }
  if (rank !== undefined && shape.length !== rank) {
    throw new ShapeError(`${what}: expected rank ${rank}, got rank ${shape.length} ${describe(shape)}`);
  }
  shape.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 1) {
      throw new ShapeError(
        `${what}: expected dimension ${i} to be a positive integer, got ${String(s)} in ${describe(shape)}`,
      );
    }
  });
}

/** Checks that `data` holds exactly `count` finite numbers. */
export function checkValues(what: string, data: ArrayLike<number>, count: number): void {
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
    throw new ValueError(`${what}: expected a Float32Array or Float64Array, got ${String(data)}`);
  }
  if (data.length !== count) {
    throw new ShapeError(`${what}: expected ${count} values, got ${data.length}`);
  }
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(data[i])) {
      throw new ValueError(`${what}: expected finite values, got ${data[i]} at index ${i}`);
    }
  }
}
