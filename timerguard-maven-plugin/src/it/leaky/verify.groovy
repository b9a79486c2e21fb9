// Post-build check of this invoker project. On failure it names the failed assertion and shows
// the build's own timerguard and result lines instead of the whole log.
def log = new File(basedir, 'build.log').text
try {
  assert log.contains('BUILD FAILURE')
  // both findings are named in the log, the one in Poller only because lib is on the class path
  assert log =~ /ERROR.*src\/main\/java\/app\/Poller\.java:9:\d+: warning: \[TG103\]/
  assert log =~ /ERROR.*src\/main\/java\/app\/Reports\.java:9:\d+: warning: \[TG103\]/
  assert log.contains('timerguard: 2 finding(s) at or above failOn=warning')
  def sarif = new groovy.json.JsonSlurper().parse(new File(basedir, 'app/target/timerguard.sarif'))
  def results = sarif.runs[0].results
  assert results*.ruleId == ['TG103', 'TG103']
  // relative to the directory Maven ran in (the repository root for code scanning)
  assert results.collect { it.locations[0].physicalLocation.artifactLocation.uri } ==
      ['app/src/main/java/app/Poller.java', 'app/src/main/java/app/Reports.java']
  assert sarif.runs[0].tool.driver.rules*.id.contains('TG103')
  def text = new File(basedir, 'app/target/timerguard.txt').text
  assert text.contains('src/main/java/app/Poller.java:9:')
  assert text.contains('2 finding(s) in 2 file(s)')
} catch (AssertionError e) {
  def relevant = log.readLines().findAll { it =~ /timerguard|TG1|BUILD|ERROR/ }.join('\n')
  throw new AssertionError(e.message.readLines()[0] + '\n--- build.log (timerguard lines) ---\n' + relevant)
}
