import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { atomicWrite, PipelineError } from '@pipeline/core';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import type { Spectrogram } from './mel-spectrogram.js';

/** An 8-bit grayscale image, row-major from the top-left pixel. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  /** `width × height` values 0..255. */
  readonly data: Uint8Array;
}

/** File formats of {@link encodeImage} / {@link decodeImage}. */
export type ImageFormat = 'png' | 'jpeg';

/** Options of {@link spectrogramToImage}. */
export interface SpectrogramImageOptions {
  /**
   * dB range mapped to black … white: `[low, high]`; values outside are clipped. Default: the
   * spectrogram's own minimum and maximum (a constant spectrogram gives a black image).
   */
  readonly range?: readonly [number, number];
}

/**
 * A (dB) spectrogram as a grayscale image: one column per frame, one row per band with the lowest
 * band at the bottom (as `librosa.display.specshow` draws it), values scaled linearly to 0..255.
 */
export function spectrogramToImage(spectrogram: Spectrogram, options: SpectrogramImageOptions = {}): GrayImage {
  const { bands, frames, data } = spectrogram;
  let [low, high] = options.range ?? [Infinity, -Infinity];
  if (options.range === undefined) {
    for (const v of data) {
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
  }
  const span = high - low;
  const out = new Uint8Array(bands * frames);
  for (let b = 0; b < bands; b++) {
    const row = bands - 1 - b;
    for (let t = 0; t < frames; t++) {
      const v = span > 0 ? (data[b * frames + t]! - low) / span : 0;
      out[row * frames + t] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
  }
  return { width: frames, height: bands, data: out };
}

/** Encodes a grayscale image as PNG (lossless) or baseline JPEG (quality 1..100, default 95). */
export function encodeImage(image: GrayImage, format: ImageFormat, options: { readonly quality?: number } = {}): Uint8Array {
  checkImage(image);
  const rgba = Buffer.alloc(image.width * image.height * 4);
  for (let i = 0; i < image.data.length; i++) {
    const v = image.data[i]!;
    rgba[4 * i] = v;
    rgba[4 * i + 1] = v;
    rgba[4 * i + 2] = v;
    rgba[4 * i + 3] = 255;
  }
  if (format === 'jpeg') return new Uint8Array(jpeg.encode({ width: image.width, height: image.height, data: rgba }, options.quality ?? 95).data);
  const png = new pngjs.PNG({ width: image.width, height: image.height });
  rgba.copy(png.data);
  return new Uint8Array(pngjs.PNG.sync.write(png, { colorType: 0 }));
}

/**
 * Decodes a PNG or JPEG (told apart by their signature bytes) to grayscale: colour pixels become
 * their ITU-R BT.601 luma, round(0.299 R + 0.587 G + 0.114 B); alpha is ignored.
 */
export function decodeImage(bytes: Uint8Array, source = 'image'): GrayImage {
  const format = sniffFormat(bytes);
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  try {
    if (format === 'png') {
      const png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = png.data;
    } else if (format === 'jpeg') {
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
      ({ width, height } = decoded);
      rgba = decoded.data;
    } else {
      throw new PipelineError('E_INPUT', `${source} is neither a PNG nor a JPEG file`, { file: source, hint: 'convert the image to PNG or JPEG' });
    }
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    throw new PipelineError('E_INPUT', `${source}: cannot decode the ${format} image (${(error as Error).message})`, { file: source });
  }
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.round(0.299 * rgba[4 * i]! + 0.587 * rgba[4 * i + 1]! + 0.114 * rgba[4 * i + 2]!);
  }
  return { width, height, data };
}

/** Reads a PNG or JPEG file as a grayscale image (`E_NOT_FOUND` / `E_INPUT` naming the file). */
export async function readImage(path: string): Promise<GrayImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'E_NOT_FOUND' : 'E_INPUT';
    throw new PipelineError(code, `cannot read image ${path}: ${(error as Error).message}`, { file: path });
  }
  return decodeImage(bytes, path);
}

/** Writes an image atomically, the format chosen by the extension (`.png`, `.jpg`/`.jpeg`). */
export async function writeImage(path: string, image: GrayImage, options: { readonly quality?: number } = {}): Promise<void> {
  const extension = extname(path).toLowerCase();
  const format: ImageFormat | undefined = extension === '.png' ? 'png' : extension === '.jpg' || extension === '.jpeg' ? 'jpeg' : undefined;
  if (format === undefined) {
    throw new PipelineError('E_USAGE', `cannot tell the image format of ${path}`, { file: path, hint: 'use a .png, .jpg or .jpeg file name' });
  }
  await atomicWrite(path, encodeImage(image, format, options));
}

function sniffFormat(bytes: Uint8Array): ImageFormat | 'unknown' {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return 'unknown';
}

function checkImage(image: GrayImage): void {
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width < 1 || image.height < 1) {
    throw new PipelineError('E_USAGE', `image size must be positive integers, got ${image.width}×${image.height}`, { field: 'image' });
  }
  if (image.data.length !== image.width * image.height) {
    throw new PipelineError('E_USAGE', `image data has ${image.data.length} values for ${image.width}×${image.height}`, { field: 'image' });
  }
}
