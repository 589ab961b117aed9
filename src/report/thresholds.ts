/**
 * Colouring thresholds of the report. They are conventions for a quick read, not the promotion
 * gate (whose own verdict is shown as it is):
 * - a PSR or DSR of 0.95 is the usual one-sided 5 % level; below 0.5 the evidence points the
 *   other way;
 * - a PBO above 0.5 means the in-sample winner is more likely than not to underperform out of
 *   sample; 0.2 or less is comfortable;
 * - a walk-forward efficiency of 0.5 (half the in-sample return survives out of sample) is the
 *   common rule of thumb; below 0.25 most of it was fitted noise.
 */
export const PROB_GOOD = 0.95;
export const PROB_BAD = 0.5;
export const PBO_GOOD = 0.2;
export const PBO_BAD = 0.5;
export const WFE_GOOD = 0.5;
export const WFE_BAD = 0.25;
