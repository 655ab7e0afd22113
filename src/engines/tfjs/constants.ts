/**
 * Scalars that stay on the device. A number handed to a tfjs op becomes a new tensor at every
 * call, and on the webgpu backend every such tensor is uploaded through a freshly created
 * staging buffer: measured on an H100 (Dawn on Vulkan), the ~60 uploads of one Adam step cost
 * ~80 ms, eight times the step's own kernels.
 */
import * as tf from '@tensorflow/tfjs';

const cache = new Map<string, tf.Scalar>();

/** `value` as a float32 scalar made once per backend and kept for the life of the process. */
export function constant(value: number): tf.Scalar {
  const key = `${tf.getBackend()}:${value}`;
  let s = cache.get(key);
  if (s === undefined || s.isDisposed) {
    s = tf.keep(tf.scalar(value));
    cache.set(key, s);
  }
  return s;
}
