// Post-build check of this invoker project. On failure it names the failed assertion and shows
// the build's own timerguard and result lines instead of the whole log.
def log = new File(basedir, 'build.log').text
try {
  assert log.contains('BUILD SUCCESS')
  assert log.contains('timerguard: 0 finding(s) in 1 file(s), 0 at or above failOn=warning, 1 matched the baseline')
  def sarif = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/timerguard.sarif'))
  assert sarif.runs[0].results.isEmpty()
  assert log.contains('timerguard: wrote 1 finding(s) to baseline')
  assert new File(basedir, 'target/rewritten-baseline.txt').text == new File(basedir, 'timerguard-baseline.txt').text
} catch (AssertionError e) {
  def relevant = log.readLines().findAll { it =~ /timerguard|TG1|BUILD|ERROR/ }.join('\n')
  throw new AssertionError(e.message.readLines()[0] + '\n--- build.log (timerguard lines) ---\n' + relevant)
}
