//! Frames as text and as PGM images (the generative models' `trace` and `sample`).

use std::io::Write;
use std::path::Path;

/// Rows of `frames` (each `side²` intensities in [0, 1]) side by side, one text line per
/// pixel row: `█` above 0.5, `▒` above 0.25, `·` below.
pub fn frame_lines(frames: &[&[f32]], side: usize) -> Vec<String> {
    (0..side)
        .map(|row| {
            frames
                .iter()
                .map(|frame| {
                    frame[row * side..(row + 1) * side]
                        .iter()
                        .map(|&v| match v {
                            v if v > 0.5 => '█',
                            v if v > 0.25 => '▒',
                            _ => '·',
                        })
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Writes `rows` of frames as one binary PGM (P5): frames left to right, rows top to
/// bottom, a one-pixel gap between them, each pixel `scale × scale`.
pub fn write_pgm(
    path: &Path,
    rows: &[Vec<&[f32]>],
    side: usize,
    scale: usize,
) -> Result<(), String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let cell = side * scale + 1;
    let (width, height) = ((columns * cell).max(1), (rows.len() * cell).max(1));
    let mut pixels = vec![255u8; width * height];
    for (r, frames) in rows.iter().enumerate() {
        for (c, frame) in frames.iter().enumerate() {
            for y in 0..side * scale {
                for x in 0..side * scale {
                    let value = frame[(y / scale) * side + x / scale].clamp(0.0, 1.0);
                    // Ink is dark: 1 → black.
                    pixels[(r * cell + y) * width + c * cell + x] =
                        (255.0 * (1.0 - value)).round() as u8;
                }
            }
        }
    }
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(path)?;
        write!(file, "P5\n{width} {height}\n255\n")?;
        file.write_all(&pixels)
    };
    write().map_err(|e| format!("cannot write {}: {e}", path.display()))
}
