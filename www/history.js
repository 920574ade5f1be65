// Per-step training metrics, in a fixed amount of memory however long training runs: a
// class may leave the page training for an hour. The chart needs no more points than it
// has pixel columns, so at CAPACITY points the history halves its resolution: each pair
// of neighbours becomes one point (their mean, at the later step), and from then on each
// point is the mean of `stride` steps. The latest report and the moving average of the
// errors read the last steps themselves, kept apart at full resolution.

// Points kept: a chart is at most a few thousand pixels wide. Five Float64Arrays of this
// length are 320 KB, allocated once.
export const CAPACITY = 8192;
// Steps in the read-out's moving average of the errors.
const MOVING_AVERAGE = 50;
const SERIES = ['step', 'bits', 'errors', 'wrong', 'recall'];

// The values of one report, in SERIES order.
function valuesOf(report) {
  return [
    report.step,
    report.bits,
    report.errors,
    // 1 − sequence accuracy (NaN where the objective has none).
    report.sequence_accuracy === undefined ? NaN : 1 - report.sequence_accuracy,
    // The generative models' recall-set bound, bits per frame (NaN for the others).
    report.recall_bits_per_frame ?? NaN,
  ];
}

export class TrainingHistory {
  constructor() {
    for (const key of SERIES) this[key] = new Float64Array(CAPACITY);
    this.recent = new Float64Array(MOVING_AVERAGE * SERIES.length);
    this.clear();
  }

  clear() {
    this.length = 0;
    // Steps per stored point, and the point being gathered: its sums and count.
    this.stride = 1;
    this.bucket = new Float64Array(SERIES.length);
    this.bucketCount = 0;
    // The last MOVING_AVERAGE reports, a ring: how many have been seen in all.
    this.seen = 0;
  }

  append(reports) {
    for (const report of reports) {
      const values = valuesOf(report);
      this.recent.set(values, (this.seen % MOVING_AVERAGE) * SERIES.length);
      this.seen += 1;
      for (let k = 0; k < SERIES.length; k++) this.bucket[k] += values[k];
      this.bucketCount += 1;
      if (this.bucketCount < this.stride) continue;
      if (this.length === CAPACITY) this.halve();
      for (let k = 1; k < SERIES.length; k++) this[SERIES[k]][this.length] = this.bucket[k] / this.bucketCount;
      this.step[this.length] = report.step;
      this.length += 1;
      this.bucket.fill(0);
      this.bucketCount = 0;
    }
  }

  // Each pair of neighbouring points becomes one: their mean, at the later step.
  halve() {
    const half = this.length >> 1;
    for (let i = 0; i < half; i++) {
      this.step[i] = this.step[2 * i + 1];
      for (const key of SERIES.slice(1)) this[key][i] = (this[key][2 * i] + this[key][2 * i + 1]) / 2;
    }
    this.length = half;
    this.stride *= 2;
  }

  // The newest report, as the read-outs word it.
  latest() {
    if (this.seen === 0) return null;
    const at = ((this.seen - 1) % MOVING_AVERAGE) * SERIES.length;
    const [step, bits, errors, wrong] = this.recent.subarray(at, at + SERIES.length);
    return { step, bits, errors, sequence_accuracy: Number.isNaN(wrong) ? undefined : 1 - wrong };
  }

  // Mean errors over the last MOVING_AVERAGE steps.
  averageErrors() {
    const count = Math.min(this.seen, MOVING_AVERAGE);
    let sum = 0;
    for (let i = 0; i < count; i++) sum += this.recent[i * SERIES.length + 2];
    return count ? sum / count : 0;
  }

  // Views of the recorded part, as the loss chart takes them.
  series() {
    return Object.fromEntries(SERIES.map((key) => [key, this[key].subarray(0, this.length)]));
  }
}
