/**
 * The part of the agent that the bootstrap class loader loads, next to the core's {@code
 * dev.timerguard.live} model: the hooks that instrumented call sites call and the trackers that end
 * executors, threads and timeouts. Everything here is visible to every class in the JVM and
 * references nothing but the JDK and the live model. Not an API.
 */
package dev.timerguard.agent.boot;
