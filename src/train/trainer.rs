//! The training loop: batch → gradient → NaN check → clip → update → curriculum.

use super::config::TrainConfig;
use super::curriculum::Curriculum;
use super::parallel::{batch_gradient, default_threads};
use crate::error::{config_error, EngramError, Result};
use crate::models::{build, Model};
use crate::nn::{clip_global_norm, Optimizer};
use crate::rng::derive_seed;
use crate::tasks::TaskConfig;
use std::f64::consts::LN_2;

/// Metrics of one training step, per sequence of its batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepReport {
    /// 1-based number of the step just taken.
    pub step: u64,
    pub bits_per_sequence: f64,
    pub bit_errors_per_sequence: f64,
    /// Gradient norm before clipping.
    pub gradient_norm: f32,
    /// The maximum task length this step trained at (the curriculum's, if any).
    pub max_length: usize,
}

pub struct Trainer {
    config: TrainConfig,
    model: Box<dyn Model>,
    optimizer: Optimizer,
    curriculum: Option<Curriculum>,
    grads: Vec<f32>,
    steps_done: u64,
    threads: usize,
}

impl Trainer {
    /// A fresh model initialised from `config.seed`.
    pub fn new(config: TrainConfig) -> Result<Trainer> {
        config.validate()?;
        let model = build(&config.model_config(), config.seed)?;
        Self::with_model(config, model)
    }

    /// Continues training `model` (e.g. loaded from a checkpoint), which must have the
    /// architecture `config` describes.
    pub fn with_model(config: TrainConfig, model: Box<dyn Model>) -> Result<Trainer> {
        config.validate()?;
        if model.config() != &config.model_config() {
            return Err(config_error(
                "the model's architecture differs from the training configuration's",
            ));
        }
        let curriculum = config
            .curriculum
            .clone()
            .map(|c| Curriculum::new(c, config.task.max_length()));
        let threads = if config.threads == 0 {
            default_threads()
        } else {
            config.threads
        };
        Ok(Trainer {
            optimizer: Optimizer::new(config.optimizer.clone(), model.params().len()),
            grads: vec![0.0; model.params().len()],
            config,
            model,
            curriculum,
            steps_done: 0,
            threads,
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

    pub fn model(&self) -> &dyn Model {
        self.model.as_ref()
    }

    pub fn into_model(self) -> Box<dyn Model> {
        self.model
    }

    pub fn steps_done(&self) -> u64 {
        self.steps_done
    }

    /// The task as the next step will train on it (curriculum applied).
    pub fn current_task(&self) -> TaskConfig {
        match &self.curriculum {
            Some(c) => self.config.task.with_max_length(c.current()),
            None => self.config.task.clone(),
        }
    }

    /// One optimiser step on a fresh batch. On NaN or infinity in the loss or the
    /// gradient it returns [`EngramError::NonFinite`] and leaves the parameters as they
    /// were, so the last good model can still be saved.
    pub fn step(&mut self) -> Result<StepReport> {
        let task = self.current_task();
        let step = self.steps_done + 1;
        let batch = task.batch(self.config.batch_size, derive_seed(self.config.seed, step));
        let score = batch_gradient(self.model.as_ref(), &batch, self.threads, &mut self.grads);
        if !score.loss_nats.is_finite() {
            return Err(EngramError::NonFinite { step, what: "loss" });
        }
        let gradient_norm = clip_global_norm(&mut self.grads, self.config.clip_norm);
        if !gradient_norm.is_finite() {
            return Err(EngramError::NonFinite {
                step,
                what: "gradient",
            });
        }
        self.optimizer
            .update(self.model.params_mut().values_mut(), &self.grads);
        let sequences = batch.size as f64;
        let report = StepReport {
            step,
            bits_per_sequence: score.loss_nats / LN_2 / sequences,
            bit_errors_per_sequence: score.bit_errors / sequences,
            gradient_norm,
            max_length: task.max_length(),
        };
        if let Some(c) = &mut self.curriculum {
            c.record(report.bit_errors_per_sequence);
        }
        self.steps_done = step;
        Ok(report)
    }
}
