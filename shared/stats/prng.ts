/**
 * The seeded PRNG of the statistics library: the research layer's mulberry32, re-exported (one generator for the
 * whole pure core, never Math.random). Every resampling function here takes an explicit integer seed.
 */
export { mulberry32, type Prng } from '../research/prng';
