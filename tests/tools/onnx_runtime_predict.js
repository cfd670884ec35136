// Runs an ONNX model in ONNX Runtime (npm package onnxruntime-node, found through NODE_PATH) on raw float32
// images and prints {"predicted": [...], "logits_sample": [...]} as JSON on stdout.
// Usage: node onnx_runtime_predict.js MODEL.onnx IMAGES.f32 N C H W [all|disabled] [BATCH]
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, images, n, c, h, w, level = 'all', batchArg = '500'] = process.argv.slice(2);
  if (!w) throw new Error('usage: onnx_runtime_predict.js MODEL.onnx IMAGES.f32 N C H W [all|disabled] [BATCH]');
  const [N, C, H, W, batch] = [n, c, h, w, batchArg].map(Number);
  const raw = fs.readFileSync(images);
  if (raw.length !== N * C * H * W * 4) throw new Error(`${images}: ${raw.length} bytes, expected ${N * C * H * W * 4}`);
  const data = new Float32Array(raw.buffer, raw.byteOffset, N * C * H * W);
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: level, intraOpNumThreads: 1 });
  const input = session.inputNames[0], output = session.outputNames[0];
  const predicted = [];
  let sample = [];
  const per = C * H * W;
  for (let i = 0; i < N; i += batch) {
    const b = Math.min(batch, N - i);
    const x = new ort.Tensor('float32', data.subarray(i * per, (i + b) * per), [b, C, H, W]);
    const y = (await session.run({ [input]: x }))[output];
    const classes = y.dims[1];
    for (let j = 0; j < b; ++j) {
      let best = 0;
      for (let k = 1; k < classes; ++k) if (y.data[j * classes + k] > y.data[j * classes + best]) best = k;
      predicted.push(best);
    }
    if (i === 0) sample = Array.from(y.data.subarray(0, classes));
  }
  process.stdout.write(JSON.stringify({ input, output, predicted, logits_sample: sample }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(1);
});
