package app;

/** Half a class, as left by a bad merge. */
public class Broken {
  public void run( {
    int x = ;
