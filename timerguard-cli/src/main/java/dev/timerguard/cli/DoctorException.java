package dev.timerguard.cli;

/** A doctor failure with a one-line message for the person on call; the command exits 2. */
final class DoctorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  DoctorException(String message) {
    super(message);
  }
}
