/** One preset per seed system, with the seed's architecture and hyper-parameters; where a seed is silent we say what we chose. */
import type { RunConfigInput } from './schema.js';

export interface Preset {
  name: string;
  /** One line for `vaekit presets`. */
  description: string;
  /** The seed document (shared/seeds) or paper it reproduces. */
  source: string;
  config: RunConfigInput;
}

const mnist = { name: 'mnist' } as const;

/** Burda et al.'s optimizer and schedule: Adam (beta2 0.999, epsilon 1e-4), batch 20, 3,280 passes at 1e-3 * 10^(-i/7). */
const BURDA_TRAIN = { epochs: 3280, batchSize: 20, lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-4, lrSchedule: { kind: 'burda' } } as const;

/**
 * Burda et al.'s two-stochastic-layer network as their published code builds it (yburda/iwae, experiments.py,
 * `--layers 2`): q(z1|x) 784-200-200-z1 100, q(z2|z1) 100-100-100-z2 50, p(z1|z2) and p(x|z1) mirrored, tanh;
 * `samples` per example (1: the ELBO). The paper's text gives 100-unit and 50-unit deterministic layers; the code's
 * README says its runs produce Table 1 (the paper's second version), so the code's sizes are the ones to reproduce.
 */
const burdaTwoLayer = (samples: number) => ({
  kind: 'hierarchical-vae' as const,
  latent: 100,
  latent2: 50,
  encoder: { hidden: [200, 200], activation: 'tanh' as const },
  decoder: { hidden: [200, 200], activation: 'tanh' as const },
  upper: { hidden: [100, 100], activation: 'tanh' as const },
  likelihood: { kind: 'bernoulli' as const },
  decoderBiasInit: 'data-mean' as const,
  samples,
});

export const PRESETS: Preset[] = [
  {
    name: 'poor-man-vae',
    description: "seed 000: MLP 784-392(sigmoid)-10, z + N(0,1) noise, summed squared error + the batch anchor ||z||",
    source: 'seed 000 (the latent size, optimizer, batch and epochs are not in the seed: latent 10, Adam 1e-3, batch 100, 10 epochs)',
    config: {
      data: mnist,
      model: {
        kind: 'poor-man-vae',
        latent: 10,
        encoder: { hidden: [392], activation: 'sigmoid' },
        decoder: { hidden: [392], activation: 'sigmoid' },
        likelihood: { kind: 'squared-error', meanActivation: 'sigmoid' },
        anchor: 'batch',
        noise: 1,
        beta: 1,
      },
      train: { epochs: 10, batchSize: 100, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-vae-bn',
    description: 'seed 002: VAE 784-20(ReLU, BatchNorm)-z10, decoder 10-20(ReLU, Dropout 0.2)-784, Bernoulli, Adam 1e-3, batch 1000, 20 epochs',
    source: "seed 002 (the ELBO is summed over pixels; set model.reconstructionReduction='mean' for the seed's mean-BCE weighting)",
    config: {
      data: mnist,
      model: {
        kind: 'vae',
        latent: 10,
        encoder: { hidden: [20], activation: 'relu', batchNorm: 'after' },
        decoder: { hidden: [20], activation: 'relu', dropout: 0.2 },
        likelihood: { kind: 'bernoulli' },
        variance: 'logVar',
      },
      train: { epochs: 20, batchSize: 1000, lr: 1e-3 },
    },
  },
  {
    name: 'swiss-roll-vae',
    description: "seed 003: SimpleVAE on the 2-D Swiss roll, MLP 2-128-128(LeakyReLU)-latent 2, Gaussian decoder",
    source:
      'seed 003 (its mse_loss + kld_weight * KL is a Gaussian decoder with a fixed variance; the weight, optimizer and schedule are not in the seed: variance 0.01 on standardized data, Adam 1e-3, batch 128, 30 epochs)',
    config: {
      data: { name: 'swiss-roll' },
      model: {
        kind: 'vae',
        latent: 2,
        encoder: { hidden: [128, 128], activation: 'leakyRelu' },
        // seed 003's decoder: decoder_input Linear(latent, 128) without activation, then two Linear(128, 128) + LeakyReLU.
        decoder: { hidden: [128, 128, 128], activation: ['linear', 'leakyRelu', 'leakyRelu'] },
        likelihood: { kind: 'gaussian', variance: 0.01, meanActivation: 'linear' },
        variance: 'logVar',
      },
      train: { epochs: 30, batchSize: 128, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-ae',
    description: 'seed 004: autoencoder 784-200(ReLU)-784(sigmoid) with binary cross-entropy',
    source: 'seed 004 (optimizer Adam with PyTorch defaults as in the seed; batch and epochs not given: batch 100, 10 epochs)',
    config: {
      data: mnist,
      model: {
        kind: 'autoencoder',
        latent: 200,
        latentActivation: 'relu',
        encoder: { hidden: [] },
        decoder: { hidden: [] },
        likelihood: { kind: 'bernoulli' },
      },
      train: { epochs: 10, batchSize: 100, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-vae',
    description: 'seed 004: VAE 784-200(ReLU)-10 with a softplus variance head, decoder 10-200(ReLU)-784, BCE + KL',
    source: 'seed 004 (Adam with PyTorch defaults as in the seed; batch and epochs not given: batch 100, 10 epochs)',
    config: {
      data: mnist,
      model: {
        kind: 'vae',
        latent: 10,
        encoder: { hidden: [200], activation: 'relu' },
        decoder: { hidden: [200], activation: 'relu' },
        likelihood: { kind: 'bernoulli' },
        variance: 'softplus',
      },
      train: { epochs: 10, batchSize: 100, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-vae-pytorch',
    description: 'pytorch/examples VAE: 784-400-20, BCE summed + KL, Adam 1e-3, batch 128, 10 epochs (test loss ~105.6)',
    source: 'pytorch/examples vae/main.py',
    config: {
      data: mnist,
      model: {
        kind: 'vae',
        latent: 20,
        encoder: { hidden: [400], activation: 'relu' },
        decoder: { hidden: [400], activation: 'relu' },
        likelihood: { kind: 'bernoulli' },
        variance: 'logVar',
      },
      train: { epochs: 10, batchSize: 128, lr: 1e-3 },
    },
  },
  {
    name: 'iwae-paper',
    description:
      'Burda et al. 2015: VAE 784-200-200-50 (tanh), Bernoulli decoder, dynamically binarized MNIST, Adam batch 20, 3^i-epoch lr stages (3,280 epochs; NLL 86.76, IWAE k=50: 84.78)',
    source:
      'Burda, Grosse & Salakhutdinov 2015, "Importance Weighted Autoencoders", section 5 and Table 1 (the one-stochastic-layer architecture). Adam beta2 0.999, epsilon 1e-4; lr 0.001 * 10^(-i/7) for 3^i epochs, i = 0..7; the output bias starts at the logit of the training mean. Add --objective iwae --k 50 for the IWAE; --epochs caps the schedule',
    config: {
      data: { name: 'mnist', binarize: 'dynamic' },
      model: {
        kind: 'vae',
        latent: 50,
        encoder: { hidden: [200, 200], activation: 'tanh' },
        decoder: { hidden: [200, 200], activation: 'tanh' },
        likelihood: { kind: 'bernoulli' },
        variance: 'logVar',
        decoderBiasInit: 'data-mean',
        objective: { kind: 'elbo' },
      },
      train: BURDA_TRAIN,
    },
  },
  {
    name: 'mnist-conv-vae',
    description: 'keras.io VAE: conv 32 and 64 (3x3, stride 2, ReLU), dense 16, latent 2; decoder dense 7x7x64, transposed conv 64 and 32, then 1 (sigmoid); Bernoulli, Adam 1e-3, batch 128, 30 epochs',
    source:
      "keras.io examples/generative/vae.py (fchollet): the same layers and BCE summed over pixels + KL; keras trains on train+test concatenated, vaekit keeps its test split. On the native backend a full MNIST epoch takes about 20 s; wasm and cpu train it too, more slowly",
    config: {
      data: mnist,
      model: {
        kind: 'vae',
        latent: 2,
        encoder: { kind: 'conv', filters: [32, 64], kernel: 3, stride: 2, activation: 'relu', hidden: [16] },
        decoder: { kind: 'conv', filters: [64, 32], kernel: 3, stride: 2, activation: 'relu' },
        likelihood: { kind: 'bernoulli' },
        variance: 'logVar',
      },
      train: { epochs: 30, batchSize: 128, lr: 1e-3 },
    },
  },
  {
    name: 'fashion-conv-vae',
    description: 'the keras.io conv VAE (conv 32, 64, dense 16, latent 2; transposed conv 64, 32, 1) on Fashion-MNIST, Bernoulli on grey levels',
    source: 'keras.io examples/generative/vae.py with Fashion-MNIST in place of MNIST (the architecture is unchanged; latent 2 so the latent map is plotted directly)',
    config: {
      data: { name: 'fashion-mnist' },
      model: {
        kind: 'vae',
        latent: 2,
        encoder: { kind: 'conv', filters: [32, 64], kernel: 3, stride: 2, activation: 'relu', hidden: [16] },
        decoder: { kind: 'conv', filters: [64, 32], kernel: 3, stride: 2, activation: 'relu' },
        likelihood: { kind: 'bernoulli' },
        variance: 'logVar',
      },
      train: { epochs: 30, batchSize: 128, lr: 1e-3 },
    },
  },
  {
    name: 'dsprites-conv-vae',
    description: "PyTorch-VAE's VanillaVAE on dSprites 64x64x1: conv 32, 64, 128, 256, 512 (3x3, stride 2, BatchNorm, leaky ReLU), latent 10; decoder 2x2x512, transposed convs 256, 128, 64, 32, 32, then 1; Bernoulli; 60,000 of the 737,280 images",
    source:
      "AntixK/PyTorch-VAE models/vanilla_vae.py (hidden dims 32-512, BatchNorm + LeakyReLU, a final 32-channel transposed conv and a 3x3 conv to the image channels; about 3.2 M parameters for one channel). vaekit's choices: latent 10 (the disentanglement literature's size for dSprites' 5 factors; PyTorch-VAE uses 128 on CelebA), a Bernoulli decoder (dSprites is binary; PyTorch-VAE's MSE suits CelebA), the summed ELBO with beta 1 (PyTorch-VAE's kld_weight scales a per-pixel mean), Adam 1e-3 (PyTorch-VAE: 5e-3 with that smaller loss), batch 64 as PyTorch-VAE, 10 epochs over 60,000 images (`--limit` changes the count)",
    config: {
      data: { name: 'dsprites', limit: 60000 },
      model: {
        kind: 'vae',
        latent: 10,
        encoder: { kind: 'conv', filters: [32, 64, 128, 256, 512], kernel: 3, stride: 2, activation: 'leakyRelu', batchNorm: 'before', hidden: [] },
        decoder: { kind: 'conv', filters: [256, 128, 64, 32, 32], firstChannels: 512, kernel: 3, stride: 2, activation: 'leakyRelu', batchNorm: 'before', hidden: [] },
        likelihood: { kind: 'bernoulli' },
        variance: 'logVar',
      },
      train: { epochs: 10, batchSize: 64, lr: 1e-3 },
    },
  },
  {
    name: 'images64-conv-vae',
    description: 'the VanillaVAE-style conv VAE for your own RGB images: --data FOLDER of PNG images, resized to 64x64x3; Gaussian decoder on [0, 1] pixels',
    source:
      "PyTorch-VAE's VanillaVAE as in dsprites-conv-vae with three channels; a Gaussian decoder with learned variance, as for real-valued pixels (seed 002's Gaussian decoder). Needs --data FOLDER; the images are resized to 64x64 (--image-size changes it)",
    config: {
      data: { name: 'images/', imageSize: [64, 64] },
      model: {
        kind: 'vae',
        latent: 64,
        encoder: { kind: 'conv', filters: [32, 64, 128, 256, 512], kernel: 3, stride: 2, activation: 'leakyRelu', batchNorm: 'before', hidden: [] },
        decoder: { kind: 'conv', filters: [256, 128, 64, 32, 32], firstChannels: 512, kernel: 3, stride: 2, activation: 'leakyRelu', batchNorm: 'before', hidden: [] },
        likelihood: { kind: 'gaussian', variance: 'learned', meanActivation: 'sigmoid' },
        variance: 'logVar',
      },
      train: { epochs: 20, batchSize: 64, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-conv-ae',
    description: 'seed 001: conv autoencoder, conv 32 and 64 (stride 2, ReLU) to a 16-value code, transposed conv 64, 32, 1 (sigmoid), squared error',
    source:
      'seed 001 (a conv encoder and the squared-error loss ||x - x~||^2; the seed gives no layer sizes: the keras.io conv layers, code size 16 so `--latent` shows the size-vs-quality trade-off, Adam 1e-3, batch 128, 10 epochs)',
    config: {
      data: mnist,
      model: {
        kind: 'autoencoder',
        latent: 16,
        encoder: { kind: 'conv', filters: [32, 64], kernel: 3, stride: 2, activation: 'relu' },
        decoder: { kind: 'conv', filters: [64, 32], kernel: 3, stride: 2, activation: 'relu' },
        likelihood: { kind: 'squared-error', meanActivation: 'sigmoid' },
      },
      train: { epochs: 10, batchSize: 128, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-cvae',
    description: 'conditional VAE (Sohn et al. 2015): encoder [x, onehot(y)] 794-512(ReLU)-z2, decoder [z, onehot(y)] 12-512(ReLU)-784, Bernoulli, Adam 1e-3, batch 128, 20 epochs',
    source:
      "Sohn, Lee & Yan 2015 (conditional generative models), in the one-hidden-layer form of the usual PyTorch/Keras MNIST CVAE examples; seed 002 mentions the CVAE. The sizes are our choice: latent 2, so the class grid shows what the label carries and the code the style; `vaekit sample RUN --label 7`",
    config: {
      data: mnist,
      model: {
        kind: 'cvae',
        classes: 10,
        latent: 2,
        encoder: { hidden: [512], activation: 'relu' },
        decoder: { hidden: [512], activation: 'relu' },
        likelihood: { kind: 'bernoulli' },
      },
      train: { epochs: 20, batchSize: 128, lr: 1e-3 },
    },
  },
  // The model zoo: Chen et al.'s dSprites MLP for the disentangling kinds, pytorch/examples' 784-400 MLP on MNIST for the others.
  {
    name: 'dsprites-beta-tcvae',
    description: 'beta-TCVAE (Chen et al. 2018) on dSprites: MLP 4096-1200-1200(ReLU)-10, decoder 10-1200-1200-1200(tanh)-4096, Bernoulli, beta 6 on the TC (minibatch stratified sampling), Adam 1e-3, batch 256',
    source:
      "Chen, Li, Grosse & Duvenaud 2018, \"Isolating Sources of Disentanglement in VAEs\", dSprites experiments (the MLP architecture of their appendix; beta 6). vaekit's choices: 60,000 of the 737,280 images, batch 256 and 10 epochs (a budget for this machine, not the paper's schedule), so the estimators' N is 60,000",
    config: {
      data: { name: 'dsprites', limit: 60000 },
      model: { kind: 'beta-tcvae', latent: 10, beta: 6, estimator: 'mss', encoder: { hidden: [1200, 1200], activation: 'relu' }, decoder: { hidden: [1200, 1200, 1200], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } },
      train: { epochs: 10, batchSize: 256, lr: 1e-3 },
    },
  },
  {
    name: 'dsprites-dip-vae',
    description: 'DIP-VAE-II (Kumar et al. 2018) on dSprites: the beta-TCVAE preset\'s MLP, KL + covariance penalty (lambda 10 off the diagonal, 10 on it), Adam 1e-3, batch 256',
    source: 'Kumar, Sattigeri & Balakrishnan 2018, "Variational Inference of Disentangled Latent Concepts from Unlabeled Observations" (DIP-VAE-II with lambda_od = lambda_d = 10); the architecture and budget of dsprites-beta-tcvae, for a like-for-like comparison',
    config: {
      data: { name: 'dsprites', limit: 60000 },
      model: { kind: 'dip-vae', latent: 10, dip: 'ii', lambdaOffDiag: 10, encoder: { hidden: [1200, 1200], activation: 'relu' }, decoder: { hidden: [1200, 1200, 1200], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } },
      train: { epochs: 10, batchSize: 256, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-info-vae',
    description: 'InfoVAE-MMD (Zhao et al. 2019): 784-400(ReLU)-10 Gaussian encoder, Bernoulli decoder, loss = reconstruction + KL + 999 x MMD (alpha 0, lambda 1000, IMQ kernel), Adam 1e-3, batch 128, 10 epochs',
    source: 'Zhao, Song & Ermon 2019, "InfoVAE: Balancing Learning and Inference in Variational Autoencoders" with alpha 0 (the full KL kept) and lambda 1000 (our choice: a weight that makes the batch MMD count beside a summed reconstruction of about 100 nats; not tuned), on the pytorch/examples VAE architecture with latent 10',
    config: {
      data: mnist,
      model: { kind: 'info-vae', latent: 10, alpha: 0, lambda: 1000, encoder: { hidden: [400], activation: 'relu' }, decoder: { hidden: [400], activation: 'relu' }, likelihood: { kind: 'bernoulli' } },
      train: { epochs: 10, batchSize: 128, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-wae-mmd',
    description: 'WAE-MMD (Tolstikhin et al. 2018): deterministic 784-400(ReLU)-8 encoder, Bernoulli decoder, loss = reconstruction + 10 x MMD to N(0, I) (IMQ kernel over scales), Adam 1e-3, batch 128, 10 epochs',
    source: 'Tolstikhin, Bousquet, Gelly & Schoelkopf 2018, "Wasserstein Auto-Encoders" (MNIST: latent 8, lambda 10, IMQ kernels with C = 2 d sigma^2 summed over scales); their DCGAN-style conv nets replaced by the pytorch/examples MLP, their squared-error cost by the Bernoulli likelihood of binary-like MNIST',
    config: {
      data: mnist,
      model: { kind: 'wae-mmd', latent: 8, lambda: 10, kernel: 'imq', encoder: { hidden: [400], activation: 'relu' }, decoder: { hidden: [400], activation: 'relu' }, likelihood: { kind: 'bernoulli' } },
      train: { epochs: 10, batchSize: 128, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-rae',
    description: 'RAE-L2 (Ghosh et al. 2020): deterministic 784-400(ReLU)-16 encoder, Bernoulli decoder, loss = reconstruction + |z|^2/2 + 1e-7 x |decoder weights|^2, Adam 1e-3, batch 128, 10 epochs',
    source: "Ghosh, Sajjadi, Vergari, Black & Schoelkopf 2020, \"From Variational to Deterministic Autoencoders\" (RAE with L2 decoder regularization; weights as pythae's RAE_L2 defaults: 1 on the code's energy, 1e-7 on the decoder's weights); the paper's ex-post Gaussian mixture for sampling is not done, samples decode N(0, I) draws",
    config: {
      data: mnist,
      model: { kind: 'rae', latent: 16, embeddingWeight: 1, decoderWeight: 1e-7, encoder: { hidden: [400], activation: 'relu' }, decoder: { hidden: [400], activation: 'relu' }, likelihood: { kind: 'bernoulli' } },
      train: { epochs: 10, batchSize: 128, lr: 1e-3 },
    },
  },
  {
    name: 'dsprites-factor-vae',
    description: 'FactorVAE (Kim & Mnih 2018) on dSprites: the beta-TCVAE preset\'s MLP, loss = reconstruction + KL + 10 x TC by a 6 x 1000 leaky-ReLU discriminator (its own Adam, lr 1e-4, betas 0.5/0.9), Adam 1e-3, batch 256',
    source:
      'Kim & Mnih 2018, "Disentangling by Factorising": the discriminator (6 layers of 1000 leaky-ReLU units, Adam lr 1e-4, betas 0.5 and 0.9) and permuted codes as in the paper; gamma 10 is vaekit\'s choice (the paper sweeps gamma), and the architecture and budget are dsprites-beta-tcvae\'s (Chen et al.\'s MLP) for a like-for-like comparison, not the paper\'s conv nets. The discriminator trains on the same batch\'s codes, after each VAE step',
    config: {
      data: { name: 'dsprites', limit: 60000 },
      model: {
        kind: 'factor-vae',
        latent: 10,
        gamma: 10,
        discriminator: { hidden: [1000, 1000, 1000, 1000, 1000, 1000], activation: 'leakyRelu', lr: 1e-4, beta1: 0.5, beta2: 0.9 },
        encoder: { hidden: [1200, 1200], activation: 'relu' },
        decoder: { hidden: [1200, 1200, 1200], activation: 'tanh' },
        likelihood: { kind: 'bernoulli' },
      },
      train: { epochs: 10, batchSize: 256, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-vq-vae',
    description: 'VQ-VAE (van den Oord et al. 2017): 784-400(ReLU)-64 encoder read as 8 vectors of 8, each the nearest of 256 codes (EMA codebook, decay 0.99, dead codes restarted after 100 steps), decoder 64-400(ReLU)-784, Bernoulli, commitment 0.25, Adam 1e-3, batch 128, 10 epochs',
    source:
      'van den Oord, Vinyals & Kavukcuoglu 2017, "Neural Discrete Representation Learning": straight-through gradients, commitment beta 0.25, EMA codebook updates with decay 0.99 (their appendix). vaekit\'s choices: the pytorch/examples MLP instead of their conv nets and a flat code of 8 vectors instead of a spatial grid (a conv encoder and decoder also work: set model.encoder and model.decoder to conv), K = 256, dead-code restarts after 100 unused steps; no prior over the codes is learned, so samples decode uniformly random codes',
    config: {
      data: mnist,
      model: { kind: 'vq-vae', latent: 64, codeDim: 8, codebookSize: 256, commitment: 0.25, decay: 0.99, restartAfter: 100, encoder: { hidden: [400], activation: 'relu' }, decoder: { hidden: [400], activation: 'relu' }, likelihood: { kind: 'bernoulli' } },
      train: { epochs: 10, batchSize: 128, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-vamp-prior',
    description: 'VampPrior VAE (Tomczak & Welling 2018): 784-300-300(tanh)-40 Gaussian encoder, Bernoulli decoder 40-300-300(tanh)-784, prior the mixture of the posteriors at 500 learned pseudo-inputs, KL by one sample, Adam 5e-4, batch 100, 10 epochs',
    source:
      'Tomczak & Welling 2018, "VAE with a VampPrior" (MNIST: K = 500 pseudo-inputs initialized N(0.05, 0.01^2) and read through a hard-tanh, latent 40, Adam 5e-4, batch 100, two 300-unit layers); vaekit\'s choices: tanh MLPs instead of their gated dense layers, 10 epochs instead of their 2,000 with early stopping, no KL warm-up',
    config: {
      data: mnist,
      model: { kind: 'vamp-prior', latent: 40, pseudoInputs: 500, encoder: { hidden: [300, 300], activation: 'tanh' }, decoder: { hidden: [300, 300], activation: 'tanh' }, likelihood: { kind: 'bernoulli' } },
      train: { epochs: 10, batchSize: 100, lr: 5e-4 },
    },
  },
  {
    name: 'mnist-planar-flow',
    description: 'VAE with a planar-flow posterior (Rezende & Mohamed 2015): 784-400(ReLU)-40 Gaussian encoder, 10 planar steps on z, Bernoulli decoder 40-400-784, Adam 1e-3, batch 128, 10 epochs',
    source:
      'Rezende & Mohamed 2015, "Variational Inference with Normalizing Flows" (MNIST: latent 40, K = 10 planar steps, the u-hat reparameterization for invertibility); vaekit\'s choices: the flow\'s parameters learned and shared by all examples (as pythae\'s VAE_NF; the paper computes them from x), the pytorch/examples MLP instead of their maxout networks, 10 epochs instead of 500,000 updates, no KL annealing',
    config: {
      data: mnist,
      model: { kind: 'flow-vae', latent: 40, flow: { kind: 'planar', steps: 10 }, encoder: { hidden: [400], activation: 'relu' }, decoder: { hidden: [400], activation: 'relu' }, likelihood: { kind: 'bernoulli' } },
      train: { epochs: 10, batchSize: 128, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-radial-flow',
    description: 'VAE with a radial-flow posterior (Rezende & Mohamed 2015): the mnist-planar-flow network with 10 radial steps (beta >= -alpha), Adam 1e-3, batch 128, 10 epochs',
    source: 'Rezende & Mohamed 2015, radial flows f(z) = z + beta h(alpha, r)(z - z0) with alpha > 0 and beta >= -alpha; the choices of mnist-planar-flow',
    config: {
      data: mnist,
      model: { kind: 'flow-vae', latent: 40, flow: { kind: 'radial', steps: 10 }, encoder: { hidden: [400], activation: 'relu' }, decoder: { hidden: [400], activation: 'relu' }, likelihood: { kind: 'bernoulli' } },
      train: { epochs: 10, batchSize: 128, lr: 1e-3 },
    },
  },
  {
    name: 'mnist-iaf',
    description: 'VAE with an inverse autoregressive flow posterior (Kingma et al. 2016): 784-400(ReLU)-32 Gaussian encoder plus a 32-value context h, 2 IAF steps (MADE 32-128(ELU)-32, orders alternating, sigmoid-gated update), Bernoulli decoder 32-400-784, Adam 1e-3, batch 128, 10 epochs',
    source:
      'Kingma, Salimans, Jozefowicz, Chen, Sutskever & Welling 2016, "Improved Variational Inference with Inverse Autoregressive Flow" (MNIST: latent 32, the context h from the encoder, MADE blocks, the LSTM-type update z = sigma z + (1 - sigma) m with the gate\'s bias starting at +1, orders reversed between steps); vaekit\'s choices: MLPs instead of their ResNet blocks, 2 steps of one 128-unit hidden layer (pythae\'s VAE_IAF scale), 10 epochs',
    config: {
      data: mnist,
      model: { kind: 'flow-vae', latent: 32, flow: { kind: 'iaf', steps: 2, hidden: 128, context: 32 }, encoder: { hidden: [400], activation: 'relu' }, decoder: { hidden: [400], activation: 'relu' }, likelihood: { kind: 'bernoulli' } },
      train: { epochs: 10, batchSize: 128, lr: 1e-3 },
    },
  },
  {
    name: 'iwae-paper-2layer',
    description: "Burda et al. 2015, two stochastic layers as their published code builds them: q(z1|x) 784-200-200-z1 100, q(z2|z1) 100-100-100-z2 50, p(z1|z2) and p(x|z1) mirrored (tanh), trained on the ELBO; the iwae-paper schedule (NLL 85.33 in their Table 1)",
    source: "Burda, Grosse & Salakhutdinov 2015, \"Importance Weighted Autoencoders\", Table 1 (two stochastic layers, VAE column), with the layer sizes of their code (github.com/yburda/iwae, experiments.py --layers 2: 200-200 between x and z1, 100-100 between z1 and z2; the paper's section 5 says 100 and 50); the optimizer, schedule, output-bias initialization and dynamic binarization of iwae-paper; --epochs caps the schedule",
    config: {
      data: { name: 'mnist', binarize: 'dynamic' },
      model: burdaTwoLayer(1),
      train: BURDA_TRAIN,
    },
  },
  {
    name: 'iwae-paper-2layer-k50',
    description: "The iwae-paper-2layer network trained on the IWAE bound with k = 50 samples per example (NLL 82.90 in Burda et al.'s Table 1)",
    source: "Burda, Grosse & Salakhutdinov 2015, Table 1 (two stochastic layers, IWAE k = 50); the choices of iwae-paper-2layer",
    config: {
      data: { name: 'mnist', binarize: 'dynamic' },
      model: burdaTwoLayer(50),
      train: BURDA_TRAIN,
    },
  },
  {
    name: 'mnist-rae-gp',
    description: 'RAE-GP (Ghosh et al. 2020): the mnist-rae network, loss = reconstruction + |z|^2/2 + 0.01 x |d sum D(z) / dz|^2 (the decoder gradient penalty per example), Adam 1e-3, batch 128, 10 epochs',
    source:
      'Ghosh, Sajjadi, Vergari, Black & Schoelkopf 2020, "From Variational to Deterministic Autoencoders" (RAE-GP: the gradient penalty on the decoder in place of weight decay, as pythae\'s RAE_GP computes it on the decoded mean); the weight 0.01 is our choice, not tuned; samples decode N(0, I) draws (no ex-post density)',
    config: {
      data: mnist,
      model: { kind: 'rae', latent: 16, embeddingWeight: 1, decoderWeight: 0.01, decoderRegularizer: 'gradient-penalty', encoder: { hidden: [400], activation: 'relu' }, decoder: { hidden: [400], activation: 'relu' }, likelihood: { kind: 'bernoulli' } },
      train: { epochs: 10, batchSize: 128, lr: 1e-3 },
    },
  },
];

/** The preset `npm start` and a bare `vaekit train` use. */
export const DEFAULT_PRESET = 'mnist-vae';

/** Looks a preset up by name; undefined when unknown. */
export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

/**
 * The model kinds that have no preset, each with the reason (a preset is a user-facing combination of model, data and
 * training; a kind's defaults live in its src/models/<kind>.config.ts). src/models/registry.test.ts fails for a kind
 * with neither a preset nor an entry here; today every built-in kind has a preset.
 */
export const KINDS_WITHOUT_PRESET: Readonly<Record<string, string>> = {};
