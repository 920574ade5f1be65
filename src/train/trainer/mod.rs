//! The training loop: batch → gradient → NaN check → clip → update → curriculum and
//! learning-rate decay, on the CPU or on the GPU.
//!
//! On the GPU the parameters and optimiser moments live on the device; the host model is
//! brought up to date by [`Trainer::sync`] (and every [`MIRROR_INTERVAL`] steps). If the
//! device is lost or a submission fails, training falls back to the CPU from the last
//! synced state and replays the steps taken since on the CPU, so nothing learned is lost
//! (`device.rs`: moving between the CPU and a GPU, syncing and falling back; `probe.rs`:
//! what `auto` measures to choose).

mod device;
mod probe;

use super::backend::MeasuredRates;
use super::config::TrainConfig;
use super::parallel::batch_gradient;
use super::progress::{Decay, Progress};
use super::recipe::RecipeState;
use crate::error::{config_error, EngramError, Result};
use crate::gpu::GpuSession;
use crate::models::{build, Model};
use crate::nn::{clip_global_norm, Optimizer};
use crate::objective::Metrics;
use crate::ops::loss::SequenceScore;
use crate::rng::{derive_seed, Pcg32};
use crate::tasks::{Batch, TaskConfig};

/// GPU steps between automatic syncs of the host model: a fallback replays at most this
/// many steps on the CPU.
pub const MIRROR_INTERVAL: u64 = 100;

/// Purpose tag of the seed from which a batch's mixture length is drawn (apart from the
/// batch's own stream, so that drawing it changes no sequence).
const LENGTH_DRAW: u64 = 0x4C45_4E47;

/// Metrics of one training step over its batch, in the model's objective's terms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepReport {
    /// 1-based number of the step just taken.
    pub step: u64,
    /// Sequences the step trained on (the batch; with a recipe's bins, every bin's).
    pub sequences: usize,
    pub metrics: Metrics,
    /// Gradient norm before clipping.
    pub gradient_norm: f32,
    /// The maximum task length this step trained at (the curriculum's, if any; with the
    /// length mixture, the batch's length).
    pub max_length: usize,
    /// The learning rate this step used (the decay's, if any).
    pub learning_rate: f32,
}

struct CpuEngine {
    optimizer: Optimizer,
    grads: Vec<f32>,
    threads: usize,
}

/// The host side of a GPU run: what the host model holds (its parameters are those of
/// `step`), and the rest of the state needed to continue from there on the CPU.
struct Mirror {
    step: u64,
    moments: Vec<f32>,
    updates: u32,
    learning_rate: f32,
    progress: Progress,
}

struct GpuEngine {
    session: GpuSession,
    mirror: Mirror,
}

enum Engine {
    Cpu(CpuEngine),
    Gpu(Box<GpuEngine>),
}

pub struct Trainer {
    config: TrainConfig,
    model: Box<dyn Model>,
    progress: Progress,
    steps_done: u64,
    engine: Engine,
    /// Why the GPU is not in use, if it was sought.
    fallback: Option<String>,
    /// What `auto` measured when it chose between the CPU and a GPU.
    rates: Option<MeasuredRates>,
    /// The last live learning-rate change: the steps done when it was made, and the rate.
    live_rate: Option<(u64, f32)>,
    /// Relaxation's averaging is due after the step that advanced the curriculum.
    average_pending: bool,
    /// The Diagonal Neural GPU's recipe between steps (its saturation weight, windows).
    recipe: Option<RecipeState>,
}

impl CpuEngine {
    fn new(config: &TrainConfig, parameters: usize, optimizer: Optimizer) -> CpuEngine {
        CpuEngine {
            optimizer,
            grads: vec![0.0; parameters],
            threads: config.worker_threads(),
        }
    }

    /// Gradient (with relaxation's pull, if any, and the recipe's noise, seeded by
    /// `seed`), clipping and update of `model` on `batch`; the update is skipped when the
    /// loss or the gradient is not finite.
    fn step(
        &mut self,
        model: &mut dyn Model,
        batch: &Batch,
        clip_norm: f32,
        pull: Option<f32>,
        recipe: Option<(&RecipeState, u64)>,
        learning_rate: f32,
    ) -> (SequenceScore, f32) {
        let score = batch_gradient(model, batch, self.threads, &mut self.grads);
        if let (Some(sets), Some(pull)) = (model.relaxed_sets(), pull) {
            // The penalty is a regulariser: the loss reported stays the objective's.
            sets.pull(model.params().values(), pull, &mut self.grads);
        }
        if let Some((recipe, seed)) = recipe {
            recipe.add_noise(&mut self.grads, learning_rate, seed);
        }
        let gradient_norm = clip_global_norm(&mut self.grads, clip_norm);
        if score.loss_nats.is_finite() && gradient_norm.is_finite() {
            self.optimizer
                .update(model.params_mut().values_mut(), &self.grads, learning_rate);
        }
        (score, gradient_norm)
    }
}

impl Trainer {
    /// A fresh model initialised from `config.seed`, on the CPU.
    pub fn new(config: TrainConfig) -> Result<Trainer> {
        config.validate()?;
        let model = build(&config.architecture, config.seed)?;
        Self::with_model(config, model)
    }

    /// Continues training `model` (e.g. loaded from a checkpoint), which must have the
    /// architecture `config` describes, on the CPU.
    pub fn with_model(config: TrainConfig, model: Box<dyn Model>) -> Result<Trainer> {
        config.validate()?;
        if model.config() != &config.architecture {
            return Err(config_error(
                "the model's architecture differs from the training configuration's",
            ));
        }
        let progress = Progress::new(&config);
        let optimizer = Optimizer::new(config.optimizer.clone(), model.params().len());
        let recipe = config
            .recipe
            .clone()
            .map(|r| RecipeState::new(r, config.optimizer.learning_rate));
        Ok(Trainer {
            recipe,
            engine: Engine::Cpu(CpuEngine::new(&config, model.params().len(), optimizer)),
            config,
            model,
            progress,
            steps_done: 0,
            fallback: None,
            rates: None,
            live_rate: None,
            average_pending: false,
        })
    }

    /// Continues the step count, and with it the stream of batches, of a model that
    /// has already taken `steps` optimiser steps (one loaded from a checkpoint; the
    /// optimiser's moments are not stored there and start afresh).
    pub fn resuming_at(mut self, steps: u64) -> Trainer {
        self.steps_done = steps;
        self
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Changes the learning rate from the next step on, keeping the optimiser's moments
    /// (the page's control applies it live).
    ///
    /// The rate has one owner, `config.optimizer.learning_rate`: each step passes it to
    /// the optimiser (the CPU's or the GPU's, which holds it for that step only), and the
    /// decay and then the recipe's plateau rule return a lowered rate that replaces it, so
    /// each lowers the rate the other left. A GPU run's last synced state keeps the rate
    /// of its step, to continue from on the CPU.
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<()> {
        let mut config = self.config.clone();
        config.optimizer.learning_rate = learning_rate;
        config.validate()?;
        self.restart_decay();
        self.config.optimizer.learning_rate = learning_rate;
        // A GPU that fails later replays its steps from the last sync on the CPU; the
        // replay takes this rate from the same step on.
        self.live_rate = Some((self.steps_done, learning_rate));
        Ok(())
    }

    /// A changed rate starts the decay's window afresh.
    fn restart_decay(&mut self) {
        self.progress.decay = self.config.decay.clone().map(Decay::new);
    }

    /// The model. On the GPU its parameters are those of the last [`Trainer::sync`]
    /// (see [`Trainer::model_is_current`]).
    pub fn model(&self) -> &dyn Model {
        self.model.as_ref()
    }

    /// Whether [`Trainer::model`] holds the parameters of the last step taken.
    pub fn model_is_current(&self) -> bool {
        match &self.engine {
            Engine::Cpu(_) => true,
            Engine::Gpu(gpu) => gpu.mirror.step == self.steps_done,
        }
    }

    pub fn into_model(self) -> Box<dyn Model> {
        self.model
    }

    pub fn steps_done(&self) -> u64 {
        self.steps_done
    }

    /// The task as the next step will train on it (curriculum applied).
    pub fn current_task(&self) -> TaskConfig {
        match &self.progress.curriculum {
            Some(c) => self.config.task.with_max_length(c.current()),
            None => self.config.task.clone(),
        }
    }

    /// The batch of step `steps_done + 1`: from the seed and the step number, at the
    /// curriculum's length (one drawn length for the whole batch with the mixture), or
    /// with a recipe `batch_size` sequences from each of its length bins.
    fn next_batch(&self) -> (u64, TaskConfig, Batch) {
        let step = self.steps_done + 1;
        let seed = derive_seed(self.config.seed, step);
        if let Some(recipe) = &self.config.recipe {
            let task = self.config.task.clone();
            return (
                step,
                task.clone(),
                recipe.batch(&task, self.config.batch_size, seed),
            );
        }
        let mut task = self.current_task();
        if let Some(curriculum) = &self.progress.curriculum {
            let mut rng = Pcg32::new(derive_seed(seed, LENGTH_DRAW));
            if let Some(length) = curriculum.batch_length(&mut rng) {
                task = self.config.task.at_length(length);
            }
        }
        let batch = task.batch(self.config.batch_size, seed);
        (step, task, batch)
    }

    /// Checks a step's scores and, if they are finite, counts the step.
    fn complete(
        &mut self,
        step: u64,
        task: &TaskConfig,
        sequences: usize,
        score: SequenceScore,
        gradient_norm: f32,
    ) -> Result<StepReport> {
        if !score.loss_nats.is_finite() {
            return Err(EngramError::NonFinite { step, what: "loss" });
        }
        if !gradient_norm.is_finite() {
            return Err(EngramError::NonFinite {
                step,
                what: "gradient",
            });
        }
        let metrics = self.model.objective().summarise(&score, sequences);
        let report = StepReport {
            step,
            sequences,
            metrics,
            gradient_norm,
            max_length: task.max_length(),
            learning_rate: self.config.optimizer.learning_rate,
        };
        let rate = &mut self.config.optimizer.learning_rate;
        let recorded = self
            .progress
            .record(report.max_length, metrics.schedule_error(), *rate);
        if let Some(lowered) = recorded.learning_rate {
            *rate = lowered;
        }
        if let Some(recipe) = &mut self.recipe {
            let per_column = score.loss_nats / score.scored.max(1.0);
            let saturation = score.regulariser / sequences.max(1) as f64;
            if let Some(lowered) = recipe.record(per_column, saturation, *rate) {
                *rate = lowered;
            }
        }
        if recorded.average {
            self.average_pending = true;
        }
        self.steps_done = step;
        Ok(report)
    }

    /// Relaxation's last step (neural_gpu.md §5.1): every set of encoder parameters ←
    /// their mean, wherever the parameters are (the optimiser's moments are kept).
    async fn average_relaxed_sets(&mut self) -> Result<()> {
        self.sync().await?;
        self.average_on_host();
        if let Engine::Gpu(gpu) = &mut self.engine {
            let (moments, updates) = (gpu.mirror.moments.clone(), gpu.mirror.updates);
            gpu.session
                .load(self.model.params().values(), &moments, updates);
        }
        Ok(())
    }

    /// [`Trainer::average_relaxed_sets`] on the host model.
    fn average_on_host(&mut self) {
        self.average_pending = false;
        if let Some(sets) = self.model.relaxed_sets() {
            sets.average(self.model.params_mut().values_mut());
        }
    }

    fn cpu_step(&mut self) -> Result<StepReport> {
        let (step, task, batch) = self.next_batch();
        let Engine::Cpu(cpu) = &mut self.engine else {
            unreachable!("cpu_step runs on the CPU engine");
        };
        let pull = self.progress.pull();
        self.model.set_training_step(step);
        if let Some(recipe) = &self.recipe {
            self.model
                .set_regulariser_weight(recipe.saturation_weight());
        }
        let noise = self.recipe.as_ref().map(|r| (r, batch.noise_seed));
        let (score, gradient_norm) = cpu.step(
            self.model.as_mut(),
            &batch,
            self.config.clip_norm,
            pull,
            noise,
            self.config.optimizer.learning_rate,
        );
        let report = self.complete(step, &task, batch.size, score, gradient_norm)?;
        if self.average_pending {
            self.average_on_host();
        }
        Ok(report)
    }

    /// One optimiser step on a fresh batch. On NaN or infinity in the loss or the
    /// gradient it returns [`EngramError::NonFinite`] and leaves the parameters as they
    /// were, so the last good model can still be saved.
    pub async fn step_async(&mut self) -> Result<StepReport> {
        if matches!(self.engine, Engine::Gpu(_)) {
            let (step, task, batch) = self.next_batch();
            let Engine::Gpu(gpu) = &mut self.engine else {
                unreachable!("matched above");
            };
            let rate = self.config.optimizer.learning_rate;
            gpu.session.set_learning_rate(rate);
            gpu.session.set_pull(self.progress.pull());
            if let Some(recipe) = &self.recipe {
                let parameters = self.model.params().len();
                gpu.session
                    .set_regulariser_weight(recipe.saturation_weight());
                gpu.session
                    .set_gradient_noise(recipe.noise(parameters, rate, batch.noise_seed));
            }
            let generative = self.model.config().generative.as_ref();
            gpu.session
                .set_kl_weight(generative.map_or(1.0, |g| g.kl_weight(step)));
            match gpu.session.train_step(&batch).await {
                Ok(scores) => {
                    let report = self.complete(
                        step,
                        &task,
                        batch.size,
                        scores.into(),
                        scores.gradient_norm,
                    )?;
                    if self.average_pending {
                        self.average_relaxed_sets().await?;
                    }
                    if report.step % MIRROR_INTERVAL == 0 {
                        self.sync().await?;
                    }
                    return Ok(report);
                }
                Err(reason) => self.fall_back(reason)?,
            }
        }
        self.cpu_step()
    }

    /// Blocks on [`Trainer::step_async`] (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn step(&mut self) -> Result<StepReport> {
        pollster::block_on(self.step_async())
    }
}
