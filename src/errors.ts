// Each class names itself explicitly: a minifier renames classes, and `error.name` is API.

/** Base class of every error the package throws on purpose. */
export class LsaNewtonError extends Error {
  override name = 'LsaNewtonError';
}

/** Wrong rank, a dimension that is zero, negative or fractional, or sizes that do not agree. */
export class ShapeError extends LsaNewtonError {
  override name = 'ShapeError';
}

/** A value or option outside its domain: non-finite data, an unknown layer kind, a bad option. */
export class ValueError extends LsaNewtonError {
  override name = 'ValueError';
}

/** A size the device cannot hold or dispatch; the message names the `GPUSupportedLimits` field. */
export class LimitError extends LsaNewtonError {
  override name = 'LimitError';
}

/** Use of a tensor, kernel or runtime after `destroy()`. */
export class DestroyedError extends LsaNewtonError {
  override name = 'DestroyedError';
}

/** The `GPUDevice` was lost; pending and later work is rejected with this. */
export class DeviceLostError extends LsaNewtonError {
  override name = 'DeviceLostError';
}
