// Reads `npm audit --omit=dev --json` on stdin. Exits 1 when it reports a high or
// critical advisory; 0 when it reports none, or when the registry gave no answer
// (then it says so plainly: no result is not a clean result).
let text = '';
process.stdin.on('data', (chunk) => (text += chunk));
process.stdin.on('end', () => {
  let report;
  try {
    report = JSON.parse(text);
  } catch {
    console.log('npm audit: no result (its output was not JSON)');
    return;
  }
  const counts = report.metadata && report.metadata.vulnerabilities;
  if (!counts) {
    console.log(`npm audit: no result, the registry answered: ${report.message || 'an error'}`);
    return;
  }
  const serious = (counts.high || 0) + (counts.critical || 0);
  console.log(
    `npm audit (production dependencies): ${counts.critical || 0} critical, ${counts.high || 0} high, ` +
      `${counts.moderate || 0} moderate, ${counts.low || 0} low`,
  );
  if (serious > 0) process.exitCode = 1;
});
