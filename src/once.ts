// A give-back that may be called from several paths (hang-up, refusal, close) but must count
// once: licence slots and admission places are released through it.
export function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}
