// Weight gradients of every linear layer at once (one job per layer, `workgroup_id.z`):
//   dW = Σ_{b,t} dy_{b,t} x_{b,t}ᵀ,  db = Σ_{b,t} dy_{b,t}
// over every step of every sequence, as `ops::linalg::affine_backward` accumulates them
// one step at a time on the CPU. A workgroup computes a 16 × 16 tile of [dW | db] (the
// bias is column `cols`, whose x is 1), staging 16 steps of dy and x at a time.
// REC and GREC come from the model's generated prelude.

struct Job {
    dy: u32,
    x: u32,
    x_record: u32,
    rows: u32,
    cols: u32,
    weight: u32,
    bias: u32,
    padding: u32,
}

@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<storage, read> batch: array<f32>;
@group(0) @binding(2) var<storage, read> work: array<f32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;
@group(0) @binding(4) var<storage, read> jobs: array<Job>;

const TILE: u32 = 16u;

var<workgroup> dy_tile: array<array<f32, 16>, 16>;
var<workgroup> x_tile: array<array<f32, 16>, 16>;

@compute @workgroup_size(16, 16)
fn weight_gradients(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
    let job = jobs[group.z];
    let row0 = group.x * TILE;
    let col0 = group.y * TILE;
    if row0 >= job.rows || col0 > job.cols {
        return;
    }
    var total = 0.0;
    for (var b = 0u; b < run.sequences; b++) {
        let steps = u32(batch[run.length_offset + run.batch_offset + b]);
        let first = b * run.sequence_stride;
        let first_gradient = first + (run.steps + 1u) * REC;
        for (var t0 = 0u; t0 < steps; t0 += TILE) {
            // Invocation (x, y) stages step t0 + y: dy's row row0 + x and x's column col0 + x.
            let t = t0 + local.y;
            var dy = 0.0;
            var x = 0.0;
            if t < steps {
                let row = row0 + local.x;
                if row < job.rows {
                    dy = work[first_gradient + t * GREC + job.dy + row];
                }
                let col = col0 + local.x;
                if col < job.cols {
                    x = work[first + (t + job.x_record) * REC + job.x + col];
                } else if col == job.cols {
                    x = 1.0;
                }
            }
            dy_tile[local.y][local.x] = dy;
            x_tile[local.y][local.x] = x;
            workgroupBarrier();
            for (var k = 0u; k < TILE; k++) {
                total += dy_tile[k][local.y] * x_tile[k][local.x];
            }
            workgroupBarrier();
        }
    }
    let row = row0 + local.y;
    let col = col0 + local.x;
    if row < job.rows && col <= job.cols {
        let at = select(job.bias + row, job.weight + row * job.cols + col, col < job.cols);
        if run.accumulate != 0u {
            grads[at] += total;
        } else {
            grads[at] = total;
        }
    }
}
