"""Benchmark cifar_course on this machine and print the figures (not a test).

Prints:
- training throughput (forward + backward + SGD step) of CustomResNet at the spec width 64 and the CPU-edition width 16, batch 512
  (on a CPU a smaller batch is timed and reported per image: the cost per image does not depend on the batch size there);
- the implied GFLOP/s (3 x forward multiply-adds x 2 FLOPs, from torchinfo) against a measured fp32 matmul peak;
- the data pipeline's throughput: the train transform through a DataLoader with the configured workers.

Usage: python tools/benchmark.py [--device cpu|cuda] [--steps 3] [--batch 512]
"""
import argparse, os, time
import torch, torch.nn.functional as F
from torchinfo import summary
from cifar_course.custom_resnet import CustomResNet
from cifar_course.data import get_dataloaders
from cifar_course.train import get_device, _amp, _autocast

def sync(device):
    if device.type == "cuda": torch.cuda.synchronize()

def matmul_peak(device, n=4096, reps=5):
    "Measured fp32 matmul throughput in GFLOP/s."
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    a @ b; sync(device)
    t = time.perf_counter()
    for _ in range(reps): a @ b
    sync(device)
    return 2*n**3*reps/(time.perf_counter() - t)/1e9

def train_throughput(width, batch, steps, device):
    "Images/s of forward+backward+step, and forward multiply-adds per image."
    m = CustomResNet(width=width).to(device)
    if device.type == "cuda": m = m.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(m.parameters(), lr=1e-3, momentum=0.9, nesterov=True, weight_decay=5e-4)
    scaler = torch.amp.GradScaler(device.type, enabled=_amp(device))
    x, y = torch.randn(batch, 3, 32, 32, device=device), torch.randint(0, 10, (batch,), device=device)
    if device.type == "cuda": x = x.contiguous(memory_format=torch.channels_last)
    def step():
        with _autocast(device): loss = F.nll_loss(m(x).float(), y)
        opt.zero_grad(set_to_none=True); scaler.scale(loss).backward(); scaler.step(opt); scaler.update()
    step(); sync(device)
    t = time.perf_counter()
    for _ in range(steps): step()
    sync(device)
    ips = batch*steps/(time.perf_counter() - t)
    macs = summary(CustomResNet(width=width), input_size=(1, 3, 32, 32), verbose=0, device="cpu").total_mult_adds
    return ips, macs

def data_throughput(batches, num_workers, device):
    dl, _ = get_dataloaders(batch_size=512, seed=0, num_workers=num_workers, device=device)
    it = iter(dl); next(it)
    t = time.perf_counter(); n = 0
    for _ in range(batches): n += len(next(it)[1])
    return n/(time.perf_counter() - t), dl.num_workers

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default=None); p.add_argument("--steps", type=int, default=3); p.add_argument("--batch", type=int, default=512)
    p.add_argument("--workers", type=int, default=None, help="DataLoader workers (default: the course's choice for the device)")
    a = p.parse_args()
    device = get_device(a.device)
    print(f"device: {device}; torch {torch.__version__}; {os.cpu_count()} CPU cores; torch threads {torch.get_num_threads()}")
    peak = max(matmul_peak(device) for _ in range(3))
    print(f"fp32 matmul (4096x4096): {peak:.1f} GFLOP/s (best of 3)")
    for width in (64, 16):
        batch = a.batch if device.type == "cuda" or width == 16 else min(a.batch, 128)
        ips, macs = train_throughput(width, batch, a.steps, device)
        gflops = ips*macs*2*3/1e9
        print(f"CustomResNet width {width:>2} (batch {batch}): {ips:8.1f} images/s train step; {macs/1e9:.3f} G mult-adds/image forward; "
              f"~{gflops:.1f} GFLOP/s (direct-convolution count) = {gflops/peak:.0%} of the matmul peak; one epoch of 50,000 images ~ {50_000/ips/60:.1f} min")
    print("  (above 100% means the convolution kernels do fewer FLOPs than the direct count, e.g. Winograd or FFT algorithms)")
    ips, w = data_throughput(10, a.workers, device)
    print(f"data pipeline (train transform, batch 512, {w} workers): {ips:.0f} images/s")
