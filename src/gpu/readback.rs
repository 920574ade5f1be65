//! Reading results back from the device: map a staging buffer, wait for it (natively by
//! polling the device; in the browser the map callback resolves a future), copy out.

use super::context::{GpuContext, GpuUnavailable};

/// Maps the first `bytes` of `staging` (after the work that fills it) and returns them.
pub async fn read_back(
    context: &GpuContext,
    staging: &wgpu::Buffer,
    bytes: u64,
) -> Result<Vec<f32>, GpuUnavailable> {
    let (sender, receiver) = futures_channel::oneshot::channel();
    let slice = staging.slice(..bytes);
    slice.map_async(wgpu::MapMode::Read, move |result| {
        let _ = sender.send(result);
    });
    #[cfg(not(target_arch = "wasm32"))]
    context
        .device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| GpuUnavailable(format!("the GPU stopped responding ({e})")))?;
    let mapped = receiver
        .await
        .map_err(|_| GpuUnavailable("the GPU dropped a readback".into()))?;
    if let Some(reason) = context.failure() {
        return Err(GpuUnavailable(reason));
    }
    mapped.map_err(|e| GpuUnavailable(format!("a GPU readback failed ({e})")))?;
    let values = {
        let view = slice
            .get_mapped_range()
            .map_err(|e| GpuUnavailable(format!("a GPU readback failed ({e})")))?;
        bytemuck::cast_slice::<u8, f32>(&view).to_vec()
    };
    staging.unmap();
    Ok(values)
}
