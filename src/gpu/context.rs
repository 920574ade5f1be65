//! The wgpu device the GPU path runs on, and, when there is none, a reason a person can
//! read: no WebGPU in the browser, no adapter, a device that could not be created or
//! was lost.

use std::fmt;
use std::sync::{Arc, Mutex};

/// Why the GPU path is not available (or stopped being available).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpuUnavailable(pub String);

impl fmt::Display for GpuUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GpuUnavailable {}

/// A device and its queue, with what the adapter is and what went wrong with it since.
pub struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub adapter: wgpu::AdapterInfo,
    /// The first device loss or uncaptured error, if any: after it the device is not
    /// trusted again.
    failure: Arc<Mutex<Option<String>>>,
}

impl GpuContext {
    /// The best adapter the platform offers (a discrete GPU first), with the limits it
    /// supports, so that large batches fit in one dispatch where the hardware allows.
    pub async fn new() -> Result<GpuContext, GpuUnavailable> {
        let instance = new_instance()?;
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(no_adapter)?;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("engram"),
                required_features: wgpu::Features::empty(),
                required_limits: adapter.limits(),
                ..Default::default()
            })
            .await
            .map_err(|e| GpuUnavailable(format!("the GPU adapter refused a device ({e})")))?;
        let failure = Arc::new(Mutex::new(None));
        let lost = Arc::clone(&failure);
        device.set_device_lost_callback(move |_reason, message| {
            record_failure(&lost, format!("the GPU device was lost ({message})"));
        });
        let uncaptured = Arc::clone(&failure);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            record_failure(&uncaptured, format!("the GPU reported an error: {error}"));
        }));
        Ok(GpuContext {
            device,
            queue,
            adapter: adapter.get_info(),
            failure,
        })
    }

    /// Blocks on [`GpuContext::new`] (native only: the browser cannot block).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new_blocking() -> Result<GpuContext, GpuUnavailable> {
        pollster::block_on(Self::new())
    }

    /// "NVIDIA H100 (Vulkan)", "llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan)", "WebGPU"
    /// (browsers often keep the adapter's name to themselves).
    pub fn describe(&self) -> String {
        let api = match self.adapter.backend {
            wgpu::Backend::BrowserWebGpu => "WebGPU",
            wgpu::Backend::Vulkan => "Vulkan",
            wgpu::Backend::Metal => "Metal",
            wgpu::Backend::Dx12 => "DirectX 12",
            wgpu::Backend::Gl => "OpenGL",
            _ => "GPU",
        };
        match self.adapter.name.trim() {
            "" => api.to_string(),
            name => format!("{name} ({api})"),
        }
    }

    /// Whether the adapter is a software rasteriser on the CPU (lavapipe, SwiftShader).
    pub fn is_software(&self) -> bool {
        self.adapter.device_type == wgpu::DeviceType::Cpu
    }

    /// The device loss or error that ended this device's usefulness, if any.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }

    /// Destroys the device, as a lost GPU would; for tests of the fallback.
    pub fn destroy(&self) {
        self.device.destroy();
        record_failure(&self.failure, "the GPU device was destroyed".into());
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn no_adapter(error: wgpu::RequestAdapterError) -> GpuUnavailable {
    GpuUnavailable(format!("no GPU adapter was found ({error})"))
}

#[cfg(target_arch = "wasm32")]
fn no_adapter(_: wgpu::RequestAdapterError) -> GpuUnavailable {
    GpuUnavailable(
        "the browser has WebGPU but offered no adapter (it may be turned off, or this GPU not supported)"
            .into(),
    )
}

fn record_failure(failure: &Mutex<Option<String>>, message: String) {
    if let Ok(mut slot) = failure.lock() {
        slot.get_or_insert(message);
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn new_instance() -> Result<wgpu::Instance, GpuUnavailable> {
    let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    descriptor.backends =
        wgpu::Backends::from_env().unwrap_or(wgpu::Backends::PRIMARY | wgpu::Backends::GL);
    Ok(wgpu::Instance::new(descriptor))
}

#[cfg(target_arch = "wasm32")]
fn new_instance() -> Result<wgpu::Instance, GpuUnavailable> {
    use wasm_bindgen::JsValue;
    let global = js_sys::global();
    let navigator = js_sys::Reflect::get(&global, &JsValue::from_str("navigator"))
        .map_err(|_| GpuUnavailable("this context has no navigator".into()))?;
    let gpu =
        js_sys::Reflect::get(&navigator, &JsValue::from_str("gpu")).unwrap_or(JsValue::UNDEFINED);
    if gpu.is_undefined() || gpu.is_null() {
        return Err(GpuUnavailable(
            "this browser has no WebGPU (navigator.gpu is missing)".into(),
        ));
    }
    let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
    descriptor.backends = wgpu::Backends::BROWSER_WEBGPU;
    Ok(wgpu::Instance::new(descriptor))
}
