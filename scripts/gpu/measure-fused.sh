#!/usr/bin/env bash
# Issue 15's figures in one run on one GPU machine: NeuMF-8 (the paper's model) at batch 256,
# 8,192 and 65,536 on ncf's fused WebGPU kernels, on the tfjs graph path and on the PyTorch
# reference (CUDA): ms/step, samples/s, dispatches per step and whether 20 steps trained twice
# leave the same bits (ncf bench's "twice"), s/epoch and HR@10 after the same epochs (ncf train,
# torch_neumf_train_cuda.py); then the fused batch-256 and 65,536 runs again from the same seed
# (fixed-point sums: the same losses and HR@10 to every digit expected), and configs/ml-1m-gpu.json
# (device sampler, device ranking) for the time to HR@10 0.68 / 0.69. Prepared on a machine without a GPU
# (the fused path checked on SwiftShader there), so its first run on a GPU is its test.
# Pack with scripts/gpu/pack.sh, then on the GPU machine: bash .gpu/measure-fused.sh
source .gpu/setup.sh
OUT=${OUT:-/tmp/ncf/out}
mkdir -p "$OUT"
EPOCHS=${EPOCHS:-3}
{
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  for run in "256 0.001" "8192 0.002" "65536 0.01"; do
    set -- $run
    B=$1 LR=$2
    SETS="$OUTS --set train.batchSize=$B --set train.lr=$LR --set scratch.threads=16"
    echo "== batch $B, lr $LR: ncf bench, fused kernels (scratch on 16 threads as the reference)"
    $NCF bench --config configs/bench.json $SETS --set tfjs.kernels=fused --engines scratch,tfjs:webgpu --steps 200
    echo "== batch $B: ncf bench, graph path"
    $NCF bench --config configs/bench.json $SETS --set tfjs.kernels=graph --engines scratch,tfjs:webgpu --steps 50
    echo "== batch $B: ncf train, fused, $EPOCHS epochs"
    $NCF train --config configs/ml-1m.json $SETS --set name=fused-$B --set engine=tfjs --set tfjs.backend=webgpu --set tfjs.kernels=fused \
      --set train.optimizer='"adam"' --set train.epochs=$EPOCHS --set eval.fullRanking='"never"'
    echo "== batch $B: PyTorch on CUDA, $EPOCHS epochs"
    python3 $G/torch_neumf_train_cuda.py /tmp/ncf/data/ml-1m-ncf $EPOCHS 1 $B $LR
  done
  for run in "256 0.001" "65536 0.01"; do
    set -- $run
    echo "== run to run: the batch-$1 fused run again from the same seed (fixed-point sums: every digit as the first run's)"
    $NCF train --config configs/ml-1m.json $OUTS --set train.batchSize=$1 --set train.lr=$2 --set name=fused-$1-again --set engine=tfjs \
      --set tfjs.backend=webgpu --set tfjs.kernels=fused --set train.optimizer='"adam"' --set train.epochs=$EPOCHS --set eval.fullRanking='"never"'
  done
  echo "== the GPU config (device sampler, ranking on the device): time to HR@10 0.68 and 0.69, full ranking at the end"
  $NCF train --config configs/ml-1m-gpu.json $OUTS --set tfjs.backend=webgpu --set tfjs.kernels=fused
} 2>&1 | tee "$OUT/measure-fused.log"
tar -C /tmp/ncf -czf "$OUT/reports-fused.tgz" reports
