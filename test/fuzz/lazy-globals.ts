// Node defines some globals lazily: they replace their getter on first use, which
// @fast-check/poisoning would report as a change. Touching them first, before that
// package takes its baseline, leaves only real changes to report.
void globalThis.AbortController;
void globalThis.Blob;
void globalThis.BroadcastChannel;
void globalThis.DOMException;
void globalThis.Performance;
