//! `auto` between the CPU and a usable GPU, by measuring: a few training steps on each,
//! at the configured batch and from the same parameters, and the faster one is kept. A
//! GPU can be slower than the CPU (an integrated one at a small batch: the kernels run
//! one workgroup per sequence), so its presence alone does not decide.

use super::{Engine, Trainer};
use crate::error::Result;
use crate::gpu::GpuContext;
use crate::rng::derive_seed;
use crate::train::backend::MeasuredRates;
use crate::train::parallel::batch_gradient;
use std::rc::Rc;

/// Training steps timed on each backend (after one untimed step each).
const PROBE_STEPS: usize = 3;
/// Purpose tag of the probe batch's seed (apart from every training batch's).
const PROBE: u64 = 0x5052_4F42;

/// Seconds from an arbitrary origin.
fn now_seconds() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() / 1000.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        ORIGIN
            .get_or_init(std::time::Instant::now)
            .elapsed()
            .as_secs_f64()
    }
}

impl Trainer {
    /// Puts training on `context`'s GPU or keeps it on the CPU, whichever trains faster:
    /// times `PROBE_STEPS` training steps on each (the GPU's steps are undone, the
    /// CPU's compute gradients only), keeps both rates in [`Trainer::backend`], and says
    /// why the GPU is not used when the CPU wins. What was learned is unchanged.
    pub async fn choose_by_measuring(&mut self, context: Rc<GpuContext>) -> Result<()> {
        self.sync().await?;
        self.restore_cpu();
        self.rates = None;
        if let Err(reason) = self.start_gpu(context).await {
            self.fallback = Some(reason.0);
            return Ok(());
        }
        let size = self.config.batch_size;
        let batch = self
            .config
            .task
            .batch(size, derive_seed(self.config.seed, PROBE));
        let Engine::Gpu(gpu) = &mut self.engine else {
            unreachable!("started above");
        };
        let (moments, updates) = (gpu.mirror.moments.clone(), gpu.mirror.updates);
        let mut timed = Ok(0.0);
        for step in 0..=PROBE_STEPS {
            let started = now_seconds();
            if let Err(reason) = gpu.session.train_step(&batch).await {
                timed = Err(reason);
                break;
            }
            // The first step compiles and warms up; it is not timed.
            if step > 0 {
                timed = timed.map(|t| t + now_seconds() - started);
            }
        }
        gpu.session
            .load(self.model.params().values(), &moments, updates);
        let gpu_seconds = match timed {
            Ok(seconds) => seconds,
            Err(reason) => {
                self.restore_cpu();
                self.fallback = Some(reason.0);
                return Ok(());
            }
        };
        let threads = self.config.worker_threads();
        let mut grads = vec![0.0; self.model.params().len()];
        let mut cpu_seconds = 0.0;
        for step in 0..=PROBE_STEPS {
            let started = now_seconds();
            grads.fill(0.0);
            batch_gradient(self.model.as_ref(), &batch, threads, &mut grads);
            if step > 0 {
                cpu_seconds += now_seconds() - started;
            }
        }
        let sequences = (PROBE_STEPS * size) as f64;
        let rates = MeasuredRates {
            cpu: sequences / cpu_seconds.max(1e-9),
            gpu: sequences / gpu_seconds.max(1e-9),
        };
        self.rates = Some(rates);
        if rates.prefers_cpu() {
            self.restore_cpu();
            self.fallback = Some(format!(
                "the CPU trains faster here ({:.0} against {:.0} sequences/s at batch {size}, measured)",
                rates.cpu, rates.gpu
            ));
        }
        Ok(())
    }
}
