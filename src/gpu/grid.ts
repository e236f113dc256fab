import { LimitError } from '../errors.js';

/**
 * Folds `total` workgroups into (x, y) so neither exceeds `maxComputeWorkgroupsPerDimension`;
 * kernels rebuild the linear index as `x + y * num_workgroups.x` and skip the tail.
 */
export function workgroupGrid(total: number, limits: GPUSupportedLimits, what: string): [number, number] {
  const max = limits.maxComputeWorkgroupsPerDimension;
  if (total <= max) return [Math.max(total, 1), 1];
  const y = Math.ceil(total / max);
  if (y > max) {
    throw new LimitError(
      `${what}: needs ${total} workgroups, more than maxComputeWorkgroupsPerDimension² = ${max}² on this device`,
    );
  }
  return [Math.ceil(total / y), y];
}

/** Refuses a buffer the device cannot bind as storage (names the limit). */
export function checkBufferSize(what: string, bytes: number, limits: GPUSupportedLimits): void {
  const binding = limits.maxStorageBufferBindingSize;
  const buffer = limits.maxBufferSize;
  if (bytes > binding) {
    throw new LimitError(
      `${what}: needs ${bytes} bytes, more than maxStorageBufferBindingSize = ${binding} on this device`,
    );
  }
  if (bytes > buffer) {
    throw new LimitError(`${what}: needs ${bytes} bytes, more than maxBufferSize = ${buffer} on this device`);
  }
}
