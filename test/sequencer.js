/**
 * Jest's own order (failed first, then longest first by the last run's timings), except where Jest has no
 * timings yet (a fresh clone, CI): it then orders suites by file size, which would start the longest suites
 * (library.test.ts, platform.test.ts, upstream.test.ts and control-plane.test.ts, all short files) last, and the run would wait on them.
 */
const path = require('path');
const { default: Sequencer } = require('@jest/test-sequencer');

const LONG_SUITES = ['library.test.ts', 'platform.test.ts', 'upstream.test.ts', 'control-plane.test.ts'];

module.exports = class LongSuitesFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const longWithoutTiming = (test) => LONG_SUITES.includes(path.basename(test.path)) && test.duration == null;
    return [...sorted.filter(longWithoutTiming), ...sorted.filter((test) => !longWithoutTiming(test))];
  }
};
