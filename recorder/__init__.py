"""Episode format (zarr v3), background writer and reader."""
