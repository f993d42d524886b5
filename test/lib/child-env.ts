// Loaded into every test process (package.json, tap's node-arg). tap puts its process tracker
// (@tapjs/processinfo) into NODE_OPTIONS, so every Node process a test starts (routerd, peers,
// fixtures: hundreds per run) would load it too, at about 0.4 s of CPU each. They are not test
// files, and nothing of tap's reads what the tracker would record of them.
const options = process.env.NODE_OPTIONS;
if (options !== undefined) {
  const kept = options.split(/\s+/).filter((o) => o !== '' && !o.includes('@tapjs/processinfo'));
  if (kept.length > 0) process.env.NODE_OPTIONS = kept.join(' ');
  else delete process.env.NODE_OPTIONS;
}
