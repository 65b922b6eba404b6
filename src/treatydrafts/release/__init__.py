"""Release: the build (an explicit list of steps), the figure gallery, the data package, the command
line and the notebook runner.  Nothing below this package imports it."""
