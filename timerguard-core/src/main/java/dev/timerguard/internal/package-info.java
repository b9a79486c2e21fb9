/** Implementation details of TimerGuard's core. Not public API: may change in any release. */
package dev.timerguard.internal;
