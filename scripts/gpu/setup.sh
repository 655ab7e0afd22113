# Sourced on the GPU machine (from the repository root, after scripts/gpu/pack.sh made .gpu/):
# unpacks node, dawn.node, the Vulkan loader and the data, and sets NCF and OUTS for the runs.
G=.gpu
for f in $G/debs/*.deb; do dpkg -x "$f" /; done
ldconfig
mkdir -p /tmp/ncf/bin /tmp/ncf/data /tmp/ncf/reports /tmp/ncf/models
xz -dc $G/node.xz > /tmp/ncf/bin/node && chmod +x /tmp/ncf/bin/node
D=$G/bundle/node_modules/webgpu/dist/linux-x64/dawn.node
[ -f $D ] || xz -dk $D.xz
tar -C /tmp/ncf/data -xJf $G/ml-1m-ncf.tar.xz
export PATH=/tmp/ncf/bin:$PATH NCF_DATA_DIR=/tmp/ncf/data PYTHONUNBUFFERED=1
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f $ICD ]; then export VK_DRIVER_FILES=$ICD; fi
NCF="node $G/bundle/ncf.mjs"
OUTS="--set output.reports=/tmp/ncf/reports --set output.models=/tmp/ncf/models"
