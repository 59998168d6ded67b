"""Models of the influencers app; they inherit socialhub.models.BrandOwned when brand-scoped."""
