use engram::gpu::{GpuContext, GpuSession};
use engram::nn::{clip_global_norm, Optimizer, OptimizerConfig};
use engram::tasks::TaskConfig;
use engram::train::batch_gradient;
use engram::{build, ModelConfig, ModelKind};
use std::rc::Rc;

fn max_diff(a: &[f32], b: &[f32]) -> (f32, usize) {
    a.iter()
        .zip(b)
        .enumerate()
        .map(|(i, (x, y))| ((x - y).abs(), i))
        .fold((0.0, 0), |m, v| if v.0 > m.0 { v } else { m })
}

#[test]
fn step_parity() {
    let context = Rc::new(GpuContext::new_blocking().expect("gpu"));
    eprintln!("adapter: {}", context.describe());
    let task = TaskConfig::by_name("copy")
        .unwrap()
        .with_bits(3)
        .with_max_length(4);
    for model in ModelKind::ALL {
        let config = ModelConfig {
            model,
            input_width: task.input_width(),
            output_width: task.output_width(),
            hidden: 8,
            layers: 2,
            memory_slots: 6,
            memory_width: 3,
            read_heads: 2,
        };
        let mut m = build(&config, 1).unwrap();
        let batch = task.batch(5, 7);
        let optimizer = OptimizerConfig {
            learning_rate: 0.01,
            ..OptimizerConfig::default()
        };
        let mut session = pollster::block_on(GpuSession::new(
            context.clone(),
            m.as_ref(),
            optimizer.clone(),
            10.0,
        ))
        .unwrap();
        let scores = pollster::block_on(session.train_step(&batch)).unwrap();
        let gpu_grads = pollster::block_on(session.gradients()).unwrap();
        let gpu_params = pollster::block_on(session.parameters()).unwrap();
        let mut grads = vec![0.0; m.params().len()];
        let score = batch_gradient(m.as_ref(), &batch, 1, &mut grads);
        let norm = clip_global_norm(&mut grads.clone(), 10.0);
        let largest = grads.iter().fold(0.0f32, |a, g| a.max(g.abs()));
        let (d, at) = max_diff(&grads, &gpu_grads);
        let name = m
            .params()
            .entries()
            .iter()
            .find(|e| e.range().contains(&at))
            .unwrap()
            .name
            .clone();
        eprintln!("{model}: loss cpu {} gpu {} | errors {} {} | norm {} {} | grad max diff {d} at {name} (largest {largest})", score.loss_nats, scores.loss_nats, score.bit_errors, scores.bit_errors, norm, scores.gradient_norm);
        let mut clipped = grads.clone();
        clip_global_norm(&mut clipped, 10.0);
        let mut opt = Optimizer::new(optimizer, m.params().len());
        opt.update(m.params_mut().values_mut(), &clipped);
        let (pd, _) = max_diff(m.params().values(), &gpu_params);
        eprintln!("   params after update max diff {pd}");
    }
}
