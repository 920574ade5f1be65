// Per-step training metrics, kept in growable typed arrays so long runs stay cheap.

const MOVING_AVERAGE = 50;

export class TrainingHistory {
  constructor() {
    this.clear();
  }

  clear() {
    this.length = 0;
    this.step = new Float64Array(1024);
    this.bits = new Float64Array(1024);
    this.errors = new Float64Array(1024);
    // 1 − sequence accuracy (NaN where the objective has none).
    this.wrong = new Float64Array(1024);
    // The generative models' recall-set bound, bits per frame (NaN for the others).
    this.recall = new Float64Array(1024);
  }

  append(reports) {
    if (this.length + reports.length > this.step.length) {
      const capacity = Math.max(this.step.length * 2, this.length + reports.length);
      for (const key of ['step', 'bits', 'errors', 'wrong', 'recall']) {
        const grown = new Float64Array(capacity);
        grown.set(this[key].subarray(0, this.length));
        this[key] = grown;
      }
    }
    for (const r of reports) {
      this.step[this.length] = r.step;
      this.bits[this.length] = r.bits;
      this.errors[this.length] = r.errors;
      this.wrong[this.length] = r.sequence_accuracy === undefined ? NaN : 1 - r.sequence_accuracy;
      this.recall[this.length] = r.recall_bits_per_frame ?? NaN;
      this.length += 1;
    }
  }

  latest() {
    const i = this.length - 1;
    if (i < 0) return null;
    const wrong = this.wrong[i];
    return {
      step: this.step[i],
      bits: this.bits[i],
      errors: this.errors[i],
      sequence_accuracy: Number.isNaN(wrong) ? undefined : 1 - wrong,
    };
  }

  averageErrors() {
    const from = Math.max(0, this.length - MOVING_AVERAGE);
    let sum = 0;
    for (let i = from; i < this.length; i++) sum += this.errors[i];
    return this.length > from ? sum / (this.length - from) : 0;
  }

  // Views of the recorded part, as the loss chart takes them.
  series() {
    return {
      step: this.step.subarray(0, this.length),
      bits: this.bits.subarray(0, this.length),
      errors: this.errors.subarray(0, this.length),
      wrong: this.wrong.subarray(0, this.length),
      recall: this.recall.subarray(0, this.length),
    };
  }
}
