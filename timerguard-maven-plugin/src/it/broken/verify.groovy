// Post-build check of this invoker project. On failure it names the failed assertion and shows
// the build's own timerguard and result lines instead of the whole log.
def log = new File(basedir, 'build.log').text
try {
  assert log.contains('BUILD SUCCESS')
  assert log =~ /WARNING\] timerguard: src\/main\/java\/app\/Broken\.java: not analysed: .+/
  assert log =~ /WARNING\] src\/main\/java\/app\/Reports\.java:9:\d+: warning: \[TG103\]/
  assert log.contains('timerguard: 1 finding(s) in 2 file(s), 0 at or above failOn=error, 1 file(s) not analysed')
  def sarif = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/timerguard.sarif'))
  def notes = sarif.runs[0].invocations[0].toolExecutionNotifications
  assert notes.collect { it.locations[0].physicalLocation.artifactLocation.uri } == ['src/main/java/app/Broken.java']
  assert sarif.runs[0].results*.ruleId == ['TG103']
  assert new File(basedir, 'target/timerguard.txt').text.contains('src/main/java/app/Broken.java: error: ')
} catch (AssertionError e) {
  def relevant = log.readLines().findAll { it =~ /timerguard|TG1|BUILD|ERROR/ }.join('\n')
  throw new AssertionError(e.message.readLines()[0] + '\n--- build.log (timerguard lines) ---\n' + relevant)
}
