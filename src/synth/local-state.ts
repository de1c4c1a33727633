/**
 * The folder in a project where synth keeps what is local to one working tree: consent to removals not yet
 * committed, the tree indexes, the claim cache and nothing else. Git-ignored; deleting it costs
 * only work done again (and a removal's consent asked again).
 */
export const LOCAL_STATE_DIR = '.fabric';
