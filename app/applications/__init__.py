"""The NGO side: organisation due diligence, documents and grant applications."""
