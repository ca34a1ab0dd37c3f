"""Reference fixtures for @pipeline/spectrogram: a NumPy/SciPy implementation of librosa 0.11's
definitions (librosa itself cannot be installed here: numba is not on the local index).

- window: scipy.signal.get_window('hann', n_fft, fftbins=True) (periodic Hann, librosa's default)
- stft: center=True pads n_fft//2 on both sides (np.pad, mode 'constant' = librosa >= 0.10 default,
  or 'reflect'), frames every hop_length = n_fft // 4, np.fft.rfft of each windowed frame
- melspectrogram: mel filter bank (Slaney scale, norm='slaney', fmin 0, fmax sr/2) @ |stft|**2
- power_to_db: 10 log10(max(amin, S)) - 10 log10(max(amin, ref)), clipped at max - top_db
  (ref 1.0, amin 1e-10, top_db 80)

Run: python3 packages/spectrogram/scripts/make-fixtures.py (writes test/fixtures/librosa-defs.json).
"""
import json
import os

import numpy as np
import scipy.signal

F_SP = 200.0 / 3
MIN_LOG_HZ = 1000.0
MIN_LOG_MEL = MIN_LOG_HZ / F_SP
LOGSTEP = np.log(6.4) / 27.0


def hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    mels = f / F_SP
    log_t = f >= MIN_LOG_HZ
    mels[log_t] = MIN_LOG_MEL + np.log(f[log_t] / MIN_LOG_HZ) / LOGSTEP
    return mels


def mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    freqs = F_SP * m
    log_t = m >= MIN_LOG_MEL
    freqs[log_t] = MIN_LOG_HZ * np.exp(LOGSTEP * (m[log_t] - MIN_LOG_MEL))
    return freqs


def mel_filters(sr, n_fft, n_mels, fmin=0.0, fmax=None):
    fmax = sr / 2 if fmax is None else fmax
    fftfreqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(np.array([fmin]))[0], hz_to_mel(np.array([fmax]))[0], n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]
    weights = np.zeros((n_mels, len(fftfreqs)))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels])
    return weights * enorm[:, None]


def stft(y, n_fft, hop, pad_mode):
    window = scipy.signal.get_window("hann", n_fft, fftbins=True)
    yp = np.pad(y, n_fft // 2, mode=pad_mode)
    frames = 1 + (len(yp) - n_fft) // hop
    cols = [np.fft.rfft(yp[t * hop : t * hop + n_fft] * window) for t in range(frames)]
    return np.stack(cols, axis=1)


def power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0):
    log_spec = 10.0 * np.log10(np.maximum(amin, S)) - 10.0 * np.log10(np.maximum(amin, ref))
    return np.maximum(log_spec, log_spec.max() - top_db)


def signal(sr, n):
    t = np.arange(n) / sr
    chirp = np.sin(2 * np.pi * (200 * t + 0.5 * 1500 * t * t))
    return (0.6 * np.sin(2 * np.pi * 440 * t) + 0.3 * chirp + 0.1 * np.cos(2 * np.pi * 2500 * t) * np.exp(-3 * t)).tolist()


cases = []
for name, sr, n, n_fft, hop, n_mels, pad, fmin, fmax in [
    ("small-constant", 8000, 2000, 256, None, 32, "constant", 0.0, None),
    ("reflect-fmin-fmax", 8000, 1500, 512, 128, 40, "reflect", 50.0, 3500.0),
    ("librosa-defaults", 22050, 2048, 2048, None, 128, "constant", 0.0, None),
]:
    y = np.array(signal(sr, n))
    hop_ = n_fft // 4 if hop is None else hop
    D = stft(y, n_fft, hop_, pad)
    mel = mel_filters(sr, n_fft, n_mels, fmin, fmax)
    S = mel @ (np.abs(D) ** 2)
    case = {
        "name": name,
        "sampleRate": sr,
        "nFft": n_fft,
        "hopLength": hop,
        "nMels": n_mels,
        "padMode": pad,
        "fmin": fmin,
        "fmax": fmax,
        "signal": y.tolist(),
        "frames": int(D.shape[1]),
        "stftMagnitudeFrame1": np.abs(D[:, 1]).tolist(),
        "melSpectrogram": S.ravel().tolist(),
        "melDb": power_to_db(S).ravel().tolist(),
        "melDbRefMax": power_to_db(S, ref=S.max()).ravel().tolist(),
    }
    if name == "small-constant":
        case["melFilterBank"] = mel.ravel().tolist()
    cases.append(case)

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "librosa-defs.json")
with open(out, "w") as fh:
    json.dump(
        {
            "source": "packages/spectrogram/scripts/make-fixtures.py: NumPy "
            + np.__version__
            + " / SciPy "
            + scipy.__version__
            + " implementation of librosa 0.11 definitions (stft, filters.mel slaney, melspectrogram, power_to_db)",
            "cases": cases,
        },
        fh,
    )
