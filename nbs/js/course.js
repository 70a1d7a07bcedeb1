// The two small computations of the course's explorers, for the static docs site (Observable JS cells).
// They mirror cifar_course.resblock.receptive_fields and cifar_course.one_cycle.one_cycle_lrs;
// the notebooks test that both give the same numbers (with node).

// Receptive field size r, jump j and start of each layer (Araujo et al., Distill 2019):
// r_out = r_in + (k-1)*j_in, j_out = j_in*s, start_out = start_in + ((k-1)/2 - p)*j_in.
export function receptiveFields(layers) {
  let r = 1, j = 1, start = 0.5;
  return layers.map(({name, kernel, stride, padding}) => {
    r = r + (kernel - 1) * j;
    start = start + ((kernel - 1) / 2 - padding) * j;
    j = j * stride;
    return {name, kernel, stride, padding, r, j, start};
  });
}

// The conv and pool layers of CustomResNet, in execution order (the same for every width).
export const customResNetLayers = [
  ["prep.0", 3, 1, 1], ["layer1.0", 3, 1, 1], ["layer1.1", 2, 2, 0], ["res1.0.0", 3, 1, 1], ["res1.1.0", 3, 1, 1],
  ["layer2.0", 3, 1, 1], ["layer2.1", 2, 2, 0], ["layer3.0", 3, 1, 1], ["layer3.1", 2, 2, 0],
  ["res2.0.0", 3, 1, 1], ["res2.1.0", 3, 1, 1], ["pool", 4, 4, 0],
].map(([name, kernel, stride, padding]) => ({name, kernel, stride, padding}));

// The learning rate of every step of torch.optim.lr_scheduler.OneCycleLR as the course builds it
// (pct_start = peakEpoch/epochs, div_factor = lrMax/lrMin), with PyTorch's phase boundaries and anneals.
export function oneCycleLrs(lrMin, lrMax, epochs = 24, stepsPerEpoch = 98, peakEpoch = 5,
                            annealStrategy = "linear", finalDivFactor = 1) {
  const total = epochs * stepsPerEpoch;
  const end1 = (peakEpoch / epochs) * total - 1, end2 = total - 1;
  const last = lrMin / finalDivFactor;
  const anneal = (a, b, pct) => annealStrategy === "cos"
    ? b + (a - b) / 2 * (Math.cos(Math.PI * pct) + 1)
    : (b - a) * pct + a;
  const out = new Array(total);
  for (let s = 0; s < total; s++)
    out[s] = s <= end1 ? anneal(lrMin, lrMax, s / end1) : anneal(lrMax, last, (s - end1) / (end2 - end1));
  return out;
}
