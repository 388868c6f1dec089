public enum ImageIOPlaceholder {}
