"""Priority policy per municipality: the weights that rank households, versioned."""
