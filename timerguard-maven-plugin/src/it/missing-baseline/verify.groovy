// Post-build check of this invoker project. On failure it names the failed assertion and shows
// the build's own timerguard and result lines instead of the whole log.
def log = new File(basedir, 'build.log').text
try {
  assert log.contains('BUILD FAILURE')
  assert log =~ /timerguard: baseline file does not exist: .*no-such-baseline\.txt/
} catch (AssertionError e) {
  def relevant = log.readLines().findAll { it =~ /timerguard|TG1|BUILD|ERROR/ }.join('\n')
  throw new AssertionError(e.message.readLines()[0] + '\n--- build.log (timerguard lines) ---\n' + relevant)
}
