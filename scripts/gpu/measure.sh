#!/usr/bin/env bash
# The GPU measurements in the README, on one machine: configs/ml-1m-gpu.json on tfjs/webgpu, the
# scratch engine on the same config (16 threads, 1 epoch), and the paper's 8-factor NeuMF at the
# same batch and learning rate on tfjs/webgpu and on the PyTorch reference (CUDA); iALS-256 on
# tfjs/webgpu and on the scratch engine (16 threads). Logs and reports go to $OUT (or /tmp/ncf/out).
source .gpu/setup.sh
OUT=${OUT:-/tmp/ncf/out}
mkdir -p "$OUT"
{
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  echo "== tfjs webgpu: configs/ml-1m-gpu.json"
  $NCF train --config configs/ml-1m-gpu.json $OUTS --set tfjs.backend=webgpu
  echo "== scratch, 16 threads, the same config, 1 epoch"
  $NCF train --config configs/ml-1m-gpu.json $OUTS --set name=scratch16 --set engine=scratch --set scratch.threads=16 --set train.epochs=1 --set eval.fullRanking=never
  echo "== tfjs webgpu: the paper's 8-factor NeuMF at the same batch and learning rate, beside PyTorch"
  $NCF train --config configs/ml-1m-gpu.json $OUTS --set name=gpu-f8 --set tfjs.backend=webgpu --set model.factors=8 --set 'model.layers=[64,32,16,8]'
  echo "== PyTorch reference on CUDA, 8-factor NeuMF, batch 65536, lr 0.01"
  python3 $G/torch_neumf_train_cuda.py /tmp/ncf/data/ml-1m-ncf 12 1 65536 0.01
  echo "== iALS-256 (configs/ml-1m-ials.json) on tfjs webgpu, batched CG; then the scratch engine on 16 threads"
  timeout 300 $NCF train --config configs/ml-1m-ials.json $OUTS --set name=ials-webgpu --set engine=tfjs --set tfjs.backend=webgpu
  $NCF train --config configs/ml-1m-ials.json $OUTS --set name=ials-scratch16 --set scratch.threads=16
} 2>&1 | tee "$OUT/measure.log"
tar -C /tmp/ncf -czf "$OUT/reports.tgz" reports
