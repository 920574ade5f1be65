//! Where training runs: moving the trainer between the CPU and a GPU with everything
//! learned so far, keeping the host model in step with the device, and falling back to
//! the CPU (replaying the steps since the last sync) when the device fails.

use super::{CpuEngine, Engine, GpuEngine, Mirror, Trainer};
use crate::error::Result;
use crate::gpu::{GpuContext, GpuSession, GpuUnavailable};
use crate::nn::Optimizer;
use crate::train::backend::{fallback_or_error, open_gpu, BackendChoice, BackendStatus};
use std::rc::Rc;

impl Trainer {
    /// Moves training to `choice`'s backend, with everything learned so far (parameters,
    /// optimiser moments, step count). With `auto`, a GPU that cannot be used leaves
    /// training on the CPU and the reason in [`Trainer::backend`]; with `gpu`, it is an
    /// error (and training stays on the CPU).
    pub async fn select_backend(&mut self, choice: BackendChoice) -> Result<()> {
        self.sync().await?;
        self.restore_cpu();
        self.fallback = None;
        self.rates = None;
        let opened = match open_gpu(choice).await {
            // `auto` keeps whichever trains faster here.
            Ok(Some(context)) if choice == BackendChoice::Auto => {
                return self.choose_by_measuring(Rc::new(context)).await;
            }
            Ok(Some(context)) => self.start_gpu(Rc::new(context)).await,
            Ok(None) => Ok(()),
            Err(reason) => Err(reason),
        };
        if let Err(reason) = opened {
            self.fallback = Some(fallback_or_error(choice, reason)?);
        }
        Ok(())
    }

    /// Blocks on [`Trainer::select_backend`] (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn select_backend_blocking(&mut self, choice: BackendChoice) -> Result<()> {
        pollster::block_on(self.select_backend(choice))
    }

    pub(super) async fn start_gpu(
        &mut self,
        context: Rc<GpuContext>,
    ) -> Result<(), GpuUnavailable> {
        let Engine::Cpu(cpu) = &self.engine else {
            return Ok(());
        };
        let mut session = GpuSession::new(
            context,
            self.model.as_ref(),
            self.config.optimizer.clone(),
            self.config.clip_norm,
        )
        .await?;
        let moments = cpu.optimizer.moments();
        let updates = cpu.optimizer.steps();
        session.load(self.model.params().values(), &moments, updates);
        self.engine = Engine::Gpu(Box::new(GpuEngine {
            session,
            mirror: Mirror {
                step: self.steps_done,
                moments,
                updates,
                learning_rate: self.config.optimizer.learning_rate,
                progress: self.progress.clone(),
            },
        }));
        self.fallback = None;
        Ok(())
    }

    /// The backend in use and, if the GPU was sought and is not in use, why.
    pub fn backend(&self) -> BackendStatus {
        match &self.engine {
            Engine::Cpu(cpu) => BackendStatus {
                kind: "cpu",
                device: format!(
                    "CPU, {} thread{}",
                    cpu.threads,
                    if cpu.threads == 1 { "" } else { "s" }
                ),
                fallback: self.fallback.clone(),
                rates: self.rates,
            },
            Engine::Gpu(gpu) => BackendStatus {
                kind: "gpu",
                device: gpu.session.context().describe(),
                fallback: None,
                rates: self.rates,
            },
        }
    }

    /// Records why the GPU is not in use when the caller settled for the CPU itself.
    pub fn note_fallback(&mut self, reason: String) {
        self.fallback = Some(reason);
    }

    /// The GPU context in use, if any (tests use it to lose the device on purpose).
    pub fn gpu_context(&self) -> Option<&GpuContext> {
        match &self.engine {
            Engine::Gpu(gpu) => Some(gpu.session.context()),
            Engine::Cpu(_) => None,
        }
    }

    /// Brings the host model (and the fallback state) up to date with the GPU. A GPU
    /// that fails here falls back to the CPU like a failed step.
    pub async fn sync(&mut self) -> Result<()> {
        let Engine::Gpu(gpu) = &mut self.engine else {
            return Ok(());
        };
        if gpu.mirror.step == self.steps_done {
            return Ok(());
        }
        let read = async {
            let parameters = gpu.session.parameters().await?;
            let moments = gpu.session.moments().await?;
            Ok::<_, GpuUnavailable>((parameters, moments))
        };
        match read.await {
            Ok((parameters, moments)) => {
                self.model
                    .params_mut()
                    .values_mut()
                    .copy_from_slice(&parameters);
                gpu.mirror = Mirror {
                    step: self.steps_done,
                    moments,
                    updates: gpu.session.updates(),
                    learning_rate: self.config.optimizer.learning_rate,
                    progress: self.progress.clone(),
                };
                Ok(())
            }
            Err(reason) => self.fall_back(reason),
        }
    }

    /// Blocks on [`Trainer::sync`] (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn sync_blocking(&mut self) -> Result<()> {
        pollster::block_on(self.sync())
    }

    /// Puts training back on the CPU at the last synced state (the host model's), and
    /// returns the step the GPU had reached.
    pub(super) fn restore_cpu(&mut self) -> u64 {
        let reached = self.steps_done;
        if !matches!(self.engine, Engine::Gpu(_)) {
            return reached;
        }
        let empty = CpuEngine::new(
            &self.config,
            0,
            Optimizer::new(self.config.optimizer.clone(), 0),
        );
        let Engine::Gpu(gpu) = std::mem::replace(&mut self.engine, Engine::Cpu(empty)) else {
            unreachable!("matched above");
        };
        let mirror = gpu.mirror;
        self.config.optimizer.learning_rate = mirror.learning_rate;
        let optimizer = Optimizer::from_state(
            self.config.optimizer.clone(),
            &mirror.moments,
            mirror.updates,
        );
        self.engine = Engine::Cpu(CpuEngine::new(
            &self.config,
            self.model.params().len(),
            optimizer,
        ));
        self.steps_done = mirror.step;
        self.progress = mirror.progress;
        reached
    }

    /// Continues on the CPU from the last synced state, replaying the GPU steps taken
    /// since (their batches are the same: they come from the seed and the step number).
    pub(super) fn fall_back(&mut self, reason: GpuUnavailable) -> Result<()> {
        let reached = self.restore_cpu();
        self.fallback = Some(format!("{reason}; training continued on the CPU"));
        // A live learning-rate change made after the last sync is applied again at the
        // step it was made (the mirror holds the rate from before it).
        let pending = self.live_rate.filter(|&(from, _)| from >= self.steps_done);
        loop {
            if let Some((from, rate)) = pending {
                if self.steps_done == from {
                    self.restart_decay();
                    self.config.optimizer.learning_rate = rate;
                }
            }
            if self.steps_done >= reached {
                break;
            }
            self.cpu_step()?;
        }
        Ok(())
    }
}
