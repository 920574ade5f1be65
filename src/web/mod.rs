//! The engine as the page sees it: a flat playground configuration (the controls and
//! the URL state) and, in wasm32, the wasm-bindgen API the page's Web Worker calls.

mod config;
pub use config::PlaygroundConfig;

#[cfg(target_arch = "wasm32")]
mod bindings;
