/**
 * Math.hypot of two and of three numbers, bit for bit: the algorithm of V8's builtin (divide by the
 * largest magnitude, Kahan-sum the squares, multiply the square root back), without its cost per call
 * (the builtin copies its arguments into a fresh array: about 4× slower, and garbage, on the paths that
 * take hundreds of magnitudes a fix). A plain sqrt of the sum of squares differs in the last bit for about
 * a third of inputs, which would move thresholds by a hair; this does not.
 */

export function hypot2(x: number, y: number): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  const max = ax > ay ? ax : ay;
  // NaN fails both comparisons: the slow path sorts out NaN against Infinity.
  if (!(max > 0 && max < Number.POSITIVE_INFINITY) || ax !== ax || ay !== ay) return Math.hypot(x, y);
  // The builtin's Kahan sum over two terms: its compensation is still 0 when the second is added.
  const a = ax / max;
  const b = ay / max;
  return Math.sqrt(a * a + b * b) * max;
}

export function hypot3(x: number, y: number, z: number): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  const az = Math.abs(z);
  let max = ax > ay ? ax : ay;
  if (az > max) max = az;
  if (!(max > 0 && max < Number.POSITIVE_INFINITY) || ax !== ax || ay !== ay || az !== az) return Math.hypot(x, y, z);
  let sum = 0;
  let comp = 0;
  let n = ax / max;
  let summand = n * n - comp;
  let pre = sum + summand;
  comp = pre - sum - summand;
  sum = pre;
  n = ay / max;
  summand = n * n - comp;
  pre = sum + summand;
  comp = pre - sum - summand;
  sum = pre;
  n = az / max;
  summand = n * n - comp;
  pre = sum + summand;
  comp = pre - sum - summand;
  sum = pre;
  return Math.sqrt(sum) * max;
}
