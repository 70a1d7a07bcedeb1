"""Benchmark cifar_course on this machine and print the figures (not a test: nothing here is asserted).

Prints, each line naming the machine it ran on:
- training throughput (forward + backward + SGD step, the course's `time_train_step`) of CustomResNet at the spec
  width 64 and the CPU-edition width 16, in both memory layouts (NCHW and channels-last) in float32, and in
  channels-last at each other precision this machine runs fast (bf16 on a CPU with native bfloat16, fp16 and bf16 on
  CUDA), and of the ResNet18 baseline, at the recipe's batch of 512 (on a CPU the cost per image does depend on the
  batch);
- the implied GFLOP/s (3 x forward multiply-adds x 2 FLOPs, from torchinfo) against a measured matmul peak;
- the data pipeline's throughput: the train transform through the course's DataLoader with the workers it picks for
  the device, and how it compares with the training step (does the model wait for data?);
- one real epoch of the CPU edition (width 16, batch 512, all 50,000 training images, then the 10,000 test images),
  run by the course's own `train_one_epoch` and `evaluate`: its seconds, split into waiting for data (timed around the
  DataLoader), training steps (the rest of `train_one_epoch`) and evaluation. On a CPU it runs twice, in this order:
  first the plain path (NCHW, float32, the albumentations pipeline run whole per image, glibc's default malloc), then
  the course's CPU path (channels-last, the precision `auto` picks, padding once and normalizing per batch,
  `keep_freed_memory`), and prints the ratio. The order matters: `keep_freed_memory` cannot be undone in a process;
- with --compile, the CPU edition's step under torch.compile (Inductor), against the same step run eagerly.

Usage: python tools/benchmark.py [--device cpu|cuda] [--batch 512] [--steps 3] [--workers N] [--no-data] [--no-epoch]
       [--compile]
"""
import argparse, os, time
from unittest import mock
import torch
from torchinfo import summary
from cifar_course.custom_resnet import CustomResNet, resnet18
from cifar_course.data import get_dataloaders, default_workers, train_transforms, test_transforms
from cifar_course.lr_finder import make_optimizer
from cifar_course.train import (get_device, device_name, cpu_capability, train_one_epoch, evaluate, _memory_format,
                                native_bf16, resolve_precision, _DTYPES)
from cifar_course.speed import time_train_step, keep_freed_memory

def sync(device):
    if device.type == "cuda": torch.cuda.synchronize()

DTYPES = {"fp32": torch.float32, **_DTYPES}  # the matmul dtype of each precision: the course's autocast dtypes

def fast_precisions(device) -> list:
    "The precisions this device runs fast: fp32; bf16 on a CPU with native bfloat16; fp16 (and bf16) on CUDA."
    if device.type == "cuda": return ["fp32", "fp16"] + (["bf16"] if torch.cuda.is_bf16_supported() else [])
    return ["fp32"] + (["bf16"] if device.type == "cpu" and native_bf16() else [])

def matmul_peak(device, dtype=torch.float32, n=4096, reps=5):
    "Measured matmul throughput in GFLOP/s, in `dtype`."
    a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
    a @ b; sync(device)
    t = time.perf_counter()
    for _ in range(reps): a @ b
    sync(device)
    return 2*n**3*reps/(time.perf_counter() - t)/1e9

def data_throughput(batches, num_workers, device):
    "Images/s of the training DataLoader (augmentation included) over `batches` batches of 512, after the first."
    dl, _ = get_dataloaders(batch_size=512, seed=0, num_workers=num_workers, device=device)
    it = iter(dl); next(it)
    t = time.perf_counter(); n = 0
    for _ in range(batches): n += len(next(it)[1])
    return n/(time.perf_counter() - t), dl.num_workers

class TimedLoader:
    "A DataLoader whose iteration adds up, in `.wait`, the seconds spent waiting for each batch."
    def __init__(self, dl): self.dl, self.wait = dl, 0.
    def __len__(self): return len(self.dl)
    def __iter__(self):
        it = iter(self.dl)
        while True:
            t = time.perf_counter(); batch = next(it, None); self.wait += time.perf_counter() - t
            if batch is None: return
            yield batch

def real_epoch(device, workers, plain=False, precision="auto"):
    """Seconds of one CPU-edition epoch through the course's own `train_one_epoch` and `evaluate`, split: (waiting for
    batches, training steps, evaluation, images). `plain`: NCHW and the whole albumentations pipeline per image."""
    tfms = dict(train_tfm=train_transforms(), test_tfm=test_transforms()) if plain else {}
    train_dl, test_dl = get_dataloaders(batch_size=512, seed=0, num_workers=workers, device=device,
                                        test_batch_size=1024, **tfms)
    fmt = torch.contiguous_format if plain else _memory_format(device)
    torch.manual_seed(0)
    model = CustomResNet(width=16).to(device, memory_format=fmt)
    opt = make_optimizer(model, "sgd", lr=0.02)
    sched = torch.optim.lr_scheduler.LambdaLR(opt,
                                              lambda step: 1.)  # a constant LR: the schedule costs nothing measurable
    timed = TimedLoader(train_dl)
    with mock.patch("cifar_course.train._memory_format", lambda d: fmt):  # the layout the batches are put in
        scaler = torch.amp.GradScaler(device.type, enabled=precision == "fp16")
        t = time.perf_counter()
        train_one_epoch(model, timed, opt, sched, torch.nn.NLLLoss(), scaler, progress=False, precision=precision)
        sync(device)
        t_train = time.perf_counter() - t
        t = time.perf_counter(); evaluate(model, test_dl, precision=precision); sync(device)
        t_eval = time.perf_counter() - t
    return timed.wait, t_train - timed.wait, t_eval, len(train_dl.dataset)

def print_epoch(label, workers, t_data, t_step, t_eval, n):
    total = t_data + t_step + t_eval
    print(f"one CPU-edition epoch, {label} (width 16, batch 512, {workers} workers): "
          f"{total:.0f} s = {t_data:.0f} s waiting for {n:,} augmented images + {t_step:.0f} s of training steps "
          f"({n/t_step:.0f} images/s) "
          f"+ {t_eval:.0f} s evaluating 10,000 test images; x 24 epochs = {24*total/60:.0f} min")
    return total

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default=None); p.add_argument("--steps", type=int, default=3)
    p.add_argument("--batch", type=int, default=512, help="images per timed training step (default: the recipe's 512)")
    p.add_argument("--workers", type=int, default=None,
                   help="DataLoader workers (default: the course's choice for the device)")
    p.add_argument("--no-data", action="store_true", help="skip the data-pipeline figure (it needs CIFAR-10)")
    p.add_argument("--compile", action="store_true",
                   help="also time the CPU edition's step (width 16, channels-last) under torch.compile, against eager "
                        "(compiling takes tens of seconds the first time; Inductor caches it)")
    p.add_argument("--no-epoch", action="store_true",
                   help="skip the real CPU-edition epoch (it needs CIFAR-10; two of them on a CPU, about 4 minutes on "
                        "a 2-core machine)")
    a = p.parse_args()
    device = get_device(a.device)
    machine = (f"{device_name(device)} ({device.type}; {os.cpu_count()} CPU cores, torch {torch.__version__}, "
               f"{torch.get_num_threads()} threads, CPU kernels {cpu_capability()})")
    print(f"machine: {machine}")
    if device.type == "cuda": torch.backends.cudnn.benchmark = True
    precisions = fast_precisions(device)
    auto = resolve_precision("auto", device)
    print(f"precisions timed: {', '.join(precisions)}; auto picks {auto[0]} here ({auto[1]})")
    peaks = {p: max(matmul_peak(device, DTYPES[p]) for _ in range(3)) for p in precisions}
    for p, g in peaks.items(): print(f"{p} matmul (4096x4096): {g:.1f} GFLOP/s (best of 3)")
    peak = peaks["fp32"]
    batch = a.batch
    ips = {}
    for name, make in (("CustomResNet width 64", lambda: CustomResNet(width=64)), ("CustomResNet width 16",
            lambda: CustomResNet(width=16)),
                       ("ResNet18", resnet18)):
        macs = summary(make(), input_size=(1, 3, 32, 32), verbose=0, device="cpu").total_mult_adds
        runs = [(torch.contiguous_format, "fp32"), (torch.channels_last, "fp32")] + [(torch.channels_last, p)
                for p in precisions[1:]]
        for fmt, prec in runs:
            if name == "ResNet18" and fmt == torch.contiguous_format: continue
            torch.manual_seed(0)
            m = make().to(device, memory_format=fmt)
            ips[name, fmt, prec] = r = 1/time_train_step(m, batch, a.steps, precision=prec)
            layout = "channels-last" if fmt == torch.channels_last else "NCHW"
            print(f"{name:<22} {layout:<13} {prec} batch {batch}: {r:9.1f} images/s train step ({50_000/r/60:.2f} min "
                  "per 50,000 images); "
                  f"{macs/1e9:.3f} G mult-adds/image, ~{r*macs*6/1e9:.0f} GFLOP/s (direct count) = "
                  f"{r*macs*6/1e9/peaks[prec]:.0%} of the {prec} matmul peak")
        if (name, torch.contiguous_format, "fp32") in ips:
            print(f"{'':<22} channels-last / NCHW (fp32) = "
                  f"{ips[name, torch.channels_last, 'fp32']/ips[name, torch.contiguous_format, 'fp32']:.2f}x")
        for prec in precisions[1:]:
            print(f"{'':<22} {prec} / fp32 (channels-last) = "
                  f"{ips[name, torch.channels_last, prec]/ips[name, torch.channels_last, 'fp32']:.2f}x")
        # the same step, fused and generated by torch.compile (Inductor)
        if a.compile and name == "CustomResNet width 16":
            torch.manual_seed(0)
            m = torch.compile(make().to(device, memory_format=torch.channels_last))
            t = time.perf_counter()
            r = 1/time_train_step(m, batch, a.steps, precision="fp32"); took = time.perf_counter() - t - a.steps*batch/r
            print(f"{name:<22} channels-last fp32 batch {batch}, torch.compile: {r:9.1f} images/s train step = "
                  f"{r/ips[name, torch.channels_last, 'fp32']:.2f}x eager; "
                  f"compiling (or loading what Inductor cached from an earlier run) and the first step took {took:.0f} "
                  "s")
    print("  (above 100% of the peak means the convolution kernels do fewer FLOPs than the direct count, "
          "e.g. Winograd)")
    workers = default_workers(device) if a.workers is None else a.workers
    if not a.no_data:
        d_ips, w = data_throughput(20 if device.type == "cuda" else 5, workers, device)
        step = ips["CustomResNet width 64", torch.channels_last, auto[0]]
        print(f"data pipeline (train transform, batch 512, {w} workers): {d_ips:.0f} images/s; the spec model's step "
              f"takes {step:.0f} images/s: "
              + (f"the model waits for data (data-bound by {step/d_ips:.1f}x)" if d_ips < step
                 else f"data keeps up ({d_ips/step:.1f}x the step's rate)"))
    if not a.no_epoch:
        if device.type == "cpu":
            plain = print_epoch("plain path: NCHW, fp32, pipeline per image, default malloc", workers,
                                *real_epoch(device, workers, plain=True, precision="fp32"))
            keep_freed_memory()
        fast = print_epoch(f"the course's path: channels-last, {auto[0]}, padded once, normalized per batch"
                           + (", keep_freed_memory" if device.type == "cpu" else ""),
                           workers, *real_epoch(device, workers))
        if device.type == "cpu":
            print(f"{'':<22} the course's CPU path / plain path = {plain/fast:.2f}x (whole epoch, training and "
                  "evaluation)")
    print(f"machine: {machine}")
