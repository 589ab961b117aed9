/**
 * Grammatical evolution core: BNF grammars, genotype-to-phenotype mapping, sensible
 * initialisation, variation operators and reverse mapping.
 */
export * from './grammar.js';
export { DEFAULT_CODON_SIZE, encodeChoice, type Genome } from './codons.js';
export { Mapper, mapGenome, mapperFor, type MapOptions, type MapResult, type MapTrace } from './mapper.js';
export {
  growCodons,
  initialisePopulation,
  type InitialIndividual,
  type InitMethod,
  type InitOptions,
} from './init.js';
export {
  intFlipMutation,
  onePointCrossover,
  spliceSubtree,
  subtreeCrossover,
  tournamentSelect,
  type CodonRange,
} from './operators.js';
export { normaliseCommas, reverseMap, type ReverseOptions, type ReverseResult } from './reverse.js';
