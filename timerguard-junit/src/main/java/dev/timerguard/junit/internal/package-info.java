/** Internals of the leak verifier: thread listing, the JDK JSON thread dump, parsing. Not API. */
package dev.timerguard.junit.internal;
