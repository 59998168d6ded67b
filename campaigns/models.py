"""Models of the campaigns app; they inherit socialhub.models.BrandOwned when brand-scoped."""
