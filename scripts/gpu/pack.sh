#!/usr/bin/env bash
# Packs what a GPU machine without Node.js or a package registry needs to run ncf into .gpu/
# (about 45 MB): the bundled CLI (npm run bundle) with an xz-compressed dawn.node, an
# xz-compressed copy of this machine's node binary, the Vulkan loader and libglvnd .debs (the
# NVIDIA Vulkan driver, libGLX_nvidia, needs libGLdispatch), ML-1M in He et al.'s format, and
# these scripts. Needs Debian's apt-get and NCF_DATA_DIR holding ml-1m-ncf/.
# Then, on the GPU machine, from the repository root: bash .gpu/measure.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${NCF_DATA_DIR:?set NCF_DATA_DIR to a folder holding ml-1m-ncf/}"
rm -rf .gpu && mkdir -p .gpu/debs /tmp/ncf-apt/partial
npm run --silent bundle -- --out .gpu/bundle
xz -T0 -6 .gpu/bundle/node_modules/webgpu/dist/linux-x64/dawn.node
xz -T0 -6 -c "$(command -v node)" > .gpu/node.xz
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/ncf-apt'
apt-get $o update -qq
(cd .gpu/debs && apt-get $o download -qq libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libgles2 libopengl0)
tar -C "$NCF_DATA_DIR" -cJf .gpu/ml-1m-ncf.tar.xz ml-1m-ncf
cp scripts/gpu/setup.sh scripts/gpu/measure.sh scripts/gpu/measure-fused.sh scripts/gpu/torch_neumf_train_cuda.py .gpu/
du -sh .gpu
